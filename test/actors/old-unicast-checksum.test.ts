/**
 * keepalived's old unicast checksum (VRRPv3 over IPv4 with 224.0.0.18 in the pseudo-header, keepalived before
 * 1.3.6 and `old_unicast_checksum`), between two vigil daemons on the simulator: by default a unicast instance
 * that hears it switches to it (and says so) and the pair elects one master; with `never` it drops those
 * advertisements as bad checksums (two masters); both on `old_unicast_checksum` elect one master.
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

const A = '192.168.77.11';
const B = '192.168.77.12';

function conf(self: string, peer: string, priority: number, extra: string): string {
  return `global_defs {\n vrrp_version 3\n}\nvrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority ${priority}\n advert_int 1\n unicast_src_ip ${self}\n unicast_peer {\n  ${peer}\n }\n ${extra}\n virtual_ipaddress {\n  192.168.77.100/24\n }\n}\n`;
}

async function pair(aExtra: string, bExtra: string) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-net-chk-'));
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(5), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const warnings: Record<string, string[]> = { a: [], b: [] };
  const nodes = [
    { name: 'a', address: A, text: conf(A, B, 150, aExtra) },
    { name: 'b', address: B, text: conf(B, A, 100, bExtra) },
  ];
  const daemons = nodes.map((n) => {
    const host = new SimHost(n.name, 0);
    host.addInterface('eth0', segment, [{ address: n.address, prefix: 24, family: 4 }]);
    const file = join(dir, `${n.name}.conf`);
    writeFileSync(file, n.text);
    const log = { debug() {}, info() {}, warn: (m: string) => warnings[n.name]!.push(m), error() {} };
    return new VigilDaemon({ clock, link: host, addresses: host, announcer: host, processes: new SimulatedProcessRunner(clock), log, pid: 1 }, { configFile: file, nodeName: n.name, vrrpOnly: true });
  });
  try {
    for (const d of daemons) await d.start();
    await advanceSettling(clock, 15_000);
    const state = (i: number) => daemons[i]!.status().instances[0]!;
    return { a: state(0), b: state(1), warnings };
  } finally {
    for (const d of daemons) {
      const stopping = d.stop();
      await advanceSettling(clock, 1000);
      await stopping;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

test('by default a unicast instance hearing the old checksum switches to it: one master', async () => {
  const r = await pair('old_unicast_checksum', '');
  assert.equal(r.a.state, 'MASTER');
  assert.equal(r.b.state, 'BACKUP');
  assert.deepEqual(r.warnings['b'], ['(VI_1) Setting unicast VRRPv3 checksum to old version']);
  assert.equal(r.b.counters.drops['checksum'] ?? 0, 0);
});

test('old_unicast_checksum never: the old checksum is a bad checksum, and both become master', async () => {
  const r = await pair('old_unicast_checksum', 'old_unicast_checksum never');
  assert.equal(r.a.state, 'MASTER');
  assert.equal(r.b.state, 'MASTER');
  assert.ok((r.b.counters.drops['checksum'] ?? 0) > 3);
  // a, on the old checksum, drops b's standard one in turn.
  assert.ok((r.a.counters.drops['checksum'] ?? 0) > 3);
  assert.deepEqual(r.warnings['b'], []);
});

test('both on old_unicast_checksum: one master, no drop', async () => {
  const r = await pair('old_unicast_checksum', 'old_unicast_checksum');
  assert.deepEqual([r.a.state, r.b.state], ['MASTER', 'BACKUP']);
  assert.deepEqual([r.a.counters.drops['checksum'] ?? 0, r.b.counters.drops['checksum'] ?? 0], [0, 0]);
});
