/**
 * The node's script runner (actors/scripts/script-runner.ts) on the virtual clock: at most maxRunning notify
 * scripts at once, the next ones in order, the oldest waiting dropped (and counted) when too many wait; a stop
 * terminates what ran before it and lets its own scripts finish; a script whose user was never resolved never runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SimulatedProcessRunner, type SimProcessRun } from '../../sim/simulated-process-runner.js';
import { ScriptRunner, type ScriptJob } from '../../actors/scripts/script-runner.js';
import type { CallbackProcessRunner, ProcessRunRequest } from '../../transport/process-runner.js';

/** A simulated runner whose programs take `runMs`, counting how many run at once (judged from the runs themselves). */
function world(runMs: number, limits = { maxRunning: 2, maxWaiting: 3 }) {
  const clock = new VirtualClock();
  const ended: SimProcessRun[] = [];
  const sim = new SimulatedProcessRunner(clock, (r) => ended.push(r), runMs);
  const requests: ProcessRunRequest[] = [];
  let now = 0;
  let peak = 0;
  const counting: CallbackProcessRunner = {
    runWith(request, done) {
      requests.push(request);
      now++;
      peak = Math.max(peak, now);
      sim.runWith(request, (outcome) => {
        now--;
        done(outcome);
      });
    },
    run: (request) => new Promise((resolve) => counting.runWith(request, resolve)),
  };
  const logs: string[] = [];
  const runner = new ScriptRunner(counting, { info: (m) => logs.push(m), warn: (m) => logs.push(m) }, limits);
  return { clock, runner, ended, requests, logs, peak: () => peak };
}

const job = (n: number, extra: Partial<ScriptJob> = {}): ScriptJob => ({ script: { command: `/n.sh ${n}` }, timeoutMs: 10_000, what: `job ${n}`, ...extra });

test('at most maxRunning at once; the rest in order; the oldest waiting is dropped when too many wait', () => {
  const w = world(100);
  for (let n = 1; n <= 10; n++) w.runner.notify(job(n));
  // 2 run, 3 wait: 1 2 run; 3..10 arrive while 3 wait, so 3 4 5 6 7 are dropped in turn and 8 9 10 wait.
  assert.deepEqual(w.runner.stats(), { running: 2, waiting: 3, started: 2, dropped: 5, peak_running: 2, refused: 0 });
  w.clock.runUntil(1000);
  assert.equal(w.peak(), 2);
  assert.deepEqual(
    w.ended.map((r) => `${r.t_ms} ${r.argv[1]}`),
    ['100 1', '100 2', '200 8', '200 9', '300 10'],
  );
  assert.deepEqual(w.runner.stats(), { running: 0, waiting: 0, started: 5, dropped: 5, peak_running: 2, refused: 0 });
  assert.equal(w.logs.filter((l) => /the oldest waiting \(job 3\) is dropped/.test(l)).length, 1, 'said once per overflow');
});

test('a stop terminates the scripts that ran before it and drops those that wait; its own run to their end', async () => {
  const w = world(5000);
  for (let n = 1; n <= 4; n++) w.runner.notify(job(n));
  w.clock.runUntil(10);
  w.runner.notify(job(9, { stopping: true }));
  w.runner.terminate();
  let idle = false;
  void w.runner.idle().then(() => (idle = true));
  w.clock.runUntil(20);
  // 1 and 2 were aborted at 10 ms; 3 and 4 never ran; the stop's own script started when a place was free.
  assert.deepEqual(
    w.ended.map((r) => `${r.t_ms} ${r.argv[1]} ${r.outcome.kind}`),
    ['10 1 signalled', '10 2 signalled'],
  );
  assert.equal(w.runner.stats().dropped, 2);
  w.clock.runUntil(6000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.ended.at(-1) && `${w.ended.at(-1)!.argv[1]} ${w.ended.at(-1)!.outcome.kind}`, '9 exited');
  assert.equal(idle, true);
  // Scripts stopped by vigil are not reported as failures.
  assert.deepEqual(w.logs.filter((l) => /killed|timed out/.test(l)), []);
});

test('notify arguments follow the script\'s own; a `<FILE` test goes to the shell; an unresolved user never runs', () => {
  const w = world(0, { maxRunning: 4, maxWaiting: 4 });
  w.runner.notify({ script: { command: '/etc/vigil/all.sh "a b"', user: '990', group: '991' }, args: ['INSTANCE', 'VI_1', 'MASTER', '100'], timeoutMs: 1000, what: 'notify' });
  w.runner.notify({ script: { command: '</run/vigil/flag' }, timeoutMs: 1000, what: 'flag' });
  w.runner.notify({ script: { command: '/x.sh', user: 'keepalived_script' }, timeoutMs: 1000, what: 'instance VI_1 notify_master' });
  w.runner.notify({ script: { command: '/x.sh', user: 'keepalived_script' }, timeoutMs: 1000, what: 'instance VI_1 notify_master' });
  w.clock.runUntil(10);
  assert.deepEqual(
    w.requests.map((r) => [r.argv, r.user]),
    [
      [['/etc/vigil/all.sh', 'a b', 'INSTANCE', 'VI_1', 'MASTER', '100'], { uid: 990, gid: 991 }],
      [['/bin/sh', '-c', '</run/vigil/flag'], undefined],
    ],
  );
  assert.equal(w.logs.filter((l) => /user keepalived_script was never resolved; not run/.test(l)).length, 1);
});
