/**
 * global_defs child_wait_time: how long vigil's stop waits for the scripts it started (notify_stop here) before it
 * ends them, as keepalived's parent waits for its children (default 5 s). Simulated transports, virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessOutcome, ProcessRunRequest } from '../../transport/process-runner.js';
import { instanceConfig, simulatedDaemon } from './simulated-daemon.js';

const CONFIG = (globals: string): string => instanceConfig(globals, { lines: '    notify_stop "/usr/bin/hangs forever"\n' });

/** Starts a daemon whose notify_stop never ends by itself, stops it, and says when (virtual ms) the stop ended. */
async function stopTime(globals: string, topLevel = ''): Promise<{ stoppedAtMs: number; outcome: string; warnings: string[] }> {
  let outcome = 'not run';
  const hangs = (request: ProcessRunRequest): Promise<ProcessOutcome> =>
    new Promise((resolve) => {
      // Ends only when aborted (what SIGTERM does to it).
      request.signal?.addEventListener('abort', () => {
        outcome = 'ended by vigil';
        resolve({ kind: 'signalled', signal: 'SIGTERM' });
      });
    });
  const { daemon, clock, warnings, remove } = simulatedDaemon(topLevel + CONFIG(globals), { environment: () => ({ processes: { run: hangs } }), options: { scriptTimeoutMs: 600_000 } });
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
    remove();
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
