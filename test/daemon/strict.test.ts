/**
 * `vigil run --strict`: a keyword vigil accepts but does not implement (a warning otherwise, logged at start) makes
 * the daemon refuse to start, and refuse a reload (the running configuration stays). Simulated transports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import { ConfigLoadError } from '../../config/load.js';
import { SimHost } from '../../sim/sim-host.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const CONFIG = (extra: string): string => `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.77.100/24 dev eth0
    }
${extra}
}
`;

function daemon(file: string, strict: boolean): { daemon: VigilDaemon; warnings: string[] } {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('lb1', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const warnings: string[] = [];
  const d = new VigilDaemon(
    {
      clock,
      link: host,
      addresses: host,
      announcer: host,
      processes: { run: async () => ({ kind: 'exited', code: 0 }) },
      log: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
      pid: 1000,
    },
    { configFile: file, nodeName: 'lb1', strict },
  );
  return { daemon: d, warnings };
}

test('strict: a keyword vigil does not implement refuses the start; without strict it is logged and the daemon runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-strict-'));
  try {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, CONFIG('    vrf blue'));
    const lenient = daemon(file, false);
    await lenient.daemon.start();
    assert.deepEqual(lenient.warnings, [`${file}:8: vrrp_instance vrf is accepted but not implemented by vigil`]);
    assert.equal(lenient.daemon.status().instances.length, 1);
    await lenient.daemon.stop();
    const strict = daemon(file, true);
    await assert.rejects(strict.daemon.start(), (err: unknown) => err instanceof ConfigLoadError && err.message === `${file}:8: vrrp_instance vrf is accepted but not implemented by vigil`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('strict: a reload that brings in a keyword vigil does not implement is rejected, the running configuration stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-strict-'));
  try {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, CONFIG(''));
    const strict = daemon(file, true);
    await strict.daemon.start();
    writeFileSync(file, CONFIG('    priority 120\n    vrf blue'));
    const result = await strict.daemon.reload();
    assert.deepEqual(result, { ok: false, error: `${file}:9: vrrp_instance vrf is accepted but not implemented by vigil` });
    assert.equal(strict.daemon.status().instances[0]!.priority, 100);
    await strict.daemon.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
