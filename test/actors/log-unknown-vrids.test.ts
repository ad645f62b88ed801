/**
 * global_defs log_unknown_vrids: an advertisement for a VRID that no instance on its interface has is logged,
 * every one, in keepalived's words (vrrp_scheduler.c vrrp_dispatcher_read), and counted either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { advanceSettling } from '../virtual-time.js';

function conf(vrid: number, global: string): string {
  return `global_defs {\n ${global}\n}\nvrrp_instance VI_${vrid} {\n state BACKUP\n interface eth0\n virtual_router_id ${vrid}\n priority 100\n advert_int 1\n virtual_ipaddress {\n  192.168.77.${vrid}/24\n }\n}\n`;
}

async function run(global: string): Promise<{ infos: string[]; drops: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-net-vrids-'));
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(3), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const infos: string[] = [];
  const daemons = [
    { name: 'a', vrid: 51, address: '192.168.77.11', global: '' },
    { name: 'b', vrid: 52, address: '192.168.77.12', global },
  ].map((n) => {
    const host = new SimHost(n.name, 0);
    host.addInterface('eth0', segment, [{ address: n.address, prefix: 24, family: 4 }]);
    const file = join(dir, `${n.name}.conf`);
    writeFileSync(file, conf(n.vrid, n.global));
    const log = { debug() {}, info: (m: string) => (n.name === 'b' ? infos.push(m) : 0), warn() {}, error() {} };
    return new VigilDaemon({ clock, link: host, addresses: host, announcer: host, processes: new SimulatedProcessRunner(clock), log, pid: 1 }, { configFile: file, nodeName: n.name, vrrpOnly: true });
  });
  try {
    for (const d of daemons) await d.start();
    // Both become master after Master_Down_Interval (about 3.6 s), then advertise every second.
    await advanceSettling(clock, 10_000);
    return { infos: infos.filter((m) => m.startsWith('Unknown VRID')), drops: daemons[1]!.status().drops['vrid'] ?? 0 };
  } finally {
    for (const d of daemons) {
      const stopping = d.stop();
      await advanceSettling(clock, 1000);
      await stopping;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

test('log_unknown_vrids: each advertisement for an unknown VRID is logged as keepalived logs it; without it, counted only', async () => {
  const on = await run('log_unknown_vrids');
  assert.ok(on.drops >= 5, `drops ${on.drops}`);
  assert.equal(on.infos.length, on.drops);
  assert.equal(on.infos[0], 'Unknown VRID(51) received on interface(eth0). ignoring...');
  const off = await run('router_id b');
  assert.ok(off.drops >= 5);
  assert.deepEqual(off.infos, []);
});
