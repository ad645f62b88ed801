/**
 * global_defs child_wait_time: how long vigil's stop waits for the scripts it started (notify_stop here) before it
 * ends them, as keepalived's parent waits for its children (default 5 s). Simulated transports, virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import { SimHost } from '../../sim/sim-host.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { ProcessOutcome, ProcessRunRequest } from '../../transport/process-runner.js';

const CONFIG = (globals: string): string => `
global_defs {
${globals}
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    notify_stop "/usr/bin/hangs forever"
    virtual_ipaddress {
        192.168.77.100/24 dev eth0
    }
}
`;

/** Starts a daemon whose notify_stop never ends by itself, stops it, and says when (virtual ms) the stop ended. */
async function stopTime(globals: string, topLevel = ''): Promise<{ stoppedAtMs: number; outcome: string; warnings: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-cwt-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, topLevel + CONFIG(globals));
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('lb1', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const warnings: string[] = [];
  let outcome = 'not run';
  const hangs = (request: ProcessRunRequest): Promise<ProcessOutcome> =>
    new Promise((resolve) => {
      // Ends only when aborted (what SIGTERM does to it).
      request.signal?.addEventListener('abort', () => {
        outcome = 'ended by vigil';
        resolve({ kind: 'signalled', signal: 'SIGTERM' });
      });
    });
  const daemon = new VigilDaemon(
    {
      clock,
      link: host,
      addresses: host,
      announcer: host,
      processes: { run: hangs },
      log: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
      pid: 1000,
    },
    { configFile: file, nodeName: 'lb1', scriptTimeoutMs: 600_000 },
  );
  try {
    await daemon.start();
    clock.runFor(1000);
    const start = clock.now();
    let done = false;
    const stopped = daemon.stop().then(() => (done = true));
    // Virtual time runs in 100 ms steps until the stop is over (or 60 s have passed: it never ended).
    for (let i = 0; i < 600 && !done; i++) {
      clock.runFor(100);
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(done, 'the stop never ended');
    await stopped;
    return { stoppedAtMs: clock.now() - start, outcome, warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('child_wait_time: the stop ends a notify_stop still running after that many seconds (2 s here)', async () => {
  const r = await stopTime('    router_id lb1', 'child_wait_time 2\n');
  assert.equal(r.outcome, 'ended by vigil');
  assert.ok(r.stoppedAtMs >= 2000 && r.stoppedAtMs < 3000, `stopped after ${r.stoppedAtMs} ms`);
  assert.ok(r.warnings.some((w) => w.includes('child_wait_time (2 s)')), r.warnings.join('\n'));
});

test("child_wait_time: keepalived's default, 5 s", async () => {
  const r = await stopTime('    router_id lb1');
  assert.equal(r.outcome, 'ended by vigil');
  assert.ok(r.stoppedAtMs >= 5000 && r.stoppedAtMs < 6000, `stopped after ${r.stoppedAtMs} ms`);
});
