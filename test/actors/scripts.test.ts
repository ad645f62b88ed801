/**
 * vrrp_script tracking (rise/fall/init_fail/timeouts) on the virtual clock with a scripted process runner, and
 * notifications: which scripts run with which arguments (keepalived's "INSTANCE name state priority"), and
 * failures and timeouts reported, never thrown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { ScriptTracker } from '../../actors/trackers/script-tracker.js';
import { Notifier } from '../../actors/vrrp/notifier.js';
import { ScriptRunner } from '../../actors/scripts/script-runner.js';
import { Bus } from '../../actors/bus.js';
import { type CallbackProcessRunner, type ProcessOutcome, type ProcessRunner, type ProcessRunRequest } from '../../transport/process-runner.js';
import { advanceSettling } from '../virtual-time.js';

/** Answers each run from a list of outcomes (the last one repeats), after `delayMs` of virtual time. */
function scriptedRunner(clock: VirtualClock, outcomes: ProcessOutcome[], delayMs = 10): ProcessRunner & { runs: ProcessRunRequest[] } {
  const runs: ProcessRunRequest[] = [];
  return {
    runs,
    run(request) {
      runs.push(request);
      const outcome = outcomes[Math.min(runs.length - 1, outcomes.length - 1)]!;
      return new Promise((resolve) => clock.setTimeout(() => resolve(outcome), delayMs));
    },
  };
}

const ok: ProcessOutcome = { kind: 'exited', code: 0 };
const bad: ProcessOutcome = { kind: 'exited', code: 1 };

const runFor = advanceSettling;

test('vrrp_script: fall 2 failures to go down, rise 3 successes to come back, status changes reported once', async () => {
  const clock = new VirtualClock();
  const runner = scriptedRunner(clock, [ok, ok, bad, ok, bad, bad, bad, ok, ok, bad, ok, ok, ok, ok]);
  const changes: [number, boolean][] = [];
  const tracker = new ScriptTracker(
    { name: 'chk', script: '/usr/bin/chk --fast', intervalMs: 1000, timeoutMs: 500, rise: 3, fall: 2, initFail: false },
    { clock, runner, onStatus: (_, up) => changes.push([clock.now(), up]) },
  );
  tracker.start();
  await runFor(clock, 20_000);
  // Runs end at 10 ms, then every 1010 ms: run n (0-based) ends at 10 + 1010 n.
  // Results: ok ok BAD ok BAD BAD → down at run 5; BAD ok ok BAD ok ok ok → up at run 12.
  assert.deepEqual(changes, [
    [10 + 1010 * 5, false],
    [10 + 1010 * 12, true],
  ]);
  assert.deepEqual(runner.runs[0]!.argv, ['/usr/bin/chk', '--fast']);
  assert.equal(runner.runs[0]!.timeoutMs, 500);
  tracker.stop();
});

test('vrrp_script: init_fail starts down; a timeout counts as a failure', async () => {
  const clock = new VirtualClock();
  const runner = scriptedRunner(clock, [ok, { kind: 'timeout' }]);
  const changes: boolean[] = [];
  const tracker = new ScriptTracker(
    { name: 'chk', script: 'chk', intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, initFail: true },
    { clock, runner, onStatus: (_, up) => changes.push(up) },
  );
  tracker.start();
  assert.equal(tracker.up, false);
  await runFor(clock, 3000);
  assert.deepEqual(changes, [true, false]);
  tracker.stop();
});

test('notify: notify_<state> alone, notify with INSTANCE name state priority, GROUP for sync groups; failures logged', async () => {
  const clock = new VirtualClock();
  const runner = scriptedRunner(clock, [ok, { kind: 'timeout' }, bad, ok]);
  const bus = new Bus();
  const logs: string[] = [];
  const fifo: string[] = [];
  const log = { info: (m: string) => logs.push(`info: ${m}`), warn: (m: string) => logs.push(`warn: ${m}`) };
  const notifier = new Notifier({
    instances: new Map([['VI_1', { notifyMaster: { command: '/etc/vigil/master.sh "with space"' }, notify: { command: '/etc/vigil/all.sh' } }]]),
    groups: new Map([['G', { notify: { command: '/etc/vigil/group.sh' } }]]),
    scripts: new ScriptRunner(runner, log),
    timeoutMs: 2000,
    fifo: (line) => fifo.push(line),
  });
  notifier.attach(bus);
  bus.publish({ kind: 'notify', at: 0, node: 'n', instance: 'VI_1', state: 'MASTER', priority: 150 });
  bus.publish({ kind: 'notify', at: 0, node: 'n', instance: 'VI_1', state: 'BACKUP', priority: 150 });
  bus.publish({ kind: 'sync', at: 0, node: 'n', group: 'G', from: 'BACKUP', to: 'MASTER' });
  await runFor(clock, 100);
  assert.deepEqual(
    runner.runs.map((r) => r.argv),
    [
      ['/etc/vigil/master.sh', 'with space'],
      ['/etc/vigil/all.sh', 'INSTANCE', 'VI_1', 'MASTER', '150'],
      ['/etc/vigil/all.sh', 'INSTANCE', 'VI_1', 'BACKUP', '150'],
      ['/etc/vigil/group.sh', 'GROUP', 'G', 'MASTER', '0'],
    ],
  );
  assert.deepEqual(fifo, ['INSTANCE "VI_1" MASTER 150\n', 'INSTANCE "VI_1" BACKUP 150\n', 'GROUP "G" MASTER 0\n']);
  assert.equal(logs.length, 2);
  assert.match(logs[0]!, /all\.sh timed out after 2000 ms and was killed/);
  assert.match(logs[1]!, /exited with status 1/);
  notifier.detach();
});

test('a runner that answers through a callback on the clock: results arrive at their virtual time, with no promise to wait for', () => {
  const clock = new VirtualClock();
  const runs: ProcessRunRequest[] = [];
  let code = 0;
  const runner: CallbackProcessRunner = {
    runWith(request, done) {
      runs.push(request);
      clock.setTimeout(() => done({ kind: 'exited', code }), 10);
    },
    run(request) {
      return new Promise((resolve) => this.runWith(request, resolve));
    },
  };
  const changes: [number, boolean][] = [];
  const tracker = new ScriptTracker(
    { name: 'chk', script: 'chk', intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 2, initFail: false },
    { clock, runner, onStatus: (_, up) => changes.push([clock.now(), up]) },
  );
  tracker.start();
  clock.runUntil(2500);
  code = 1;
  // Synchronously, on the virtual clock alone: runs end at 10, 1020, 2030, 3040, 4050 ms.
  clock.runUntil(5000);
  assert.deepEqual(changes, [[4050, false]]);
  assert.equal(runs.length, 5);
  tracker.stop();
});

/** A notifier's world: a virtual clock, a bus, and a script runner whose runs (argv) are recorded, each exiting 0. */
function notifyWorld(): { clock: VirtualClock; runs: string[][]; bus: Bus; scripts: ScriptRunner } {
  const runs: string[][] = [];
  const runner: CallbackProcessRunner = {
    runWith: (request, done) => {
      runs.push([...request.argv]);
      done({ kind: 'exited', code: 0 });
    },
    run: () => Promise.resolve({ kind: 'exited', code: 0 }),
  };
  return { clock: new VirtualClock(), runs, bus: new Bus(), scripts: new ScriptRunner(runner, { info() {}, warn() {} }) };
}

test('notify: a notifier given its node hears only that node (a shared bus carries every node)', () => {
  const { clock, runs, bus, scripts: runScripts } = notifyWorld();
  const notifier = new Notifier({ node: 'lb1', instances: new Map([['VI_1', { notify: { command: '/n.sh' } }]]), groups: new Map(), scripts: runScripts, timeoutMs: 1000 });
  notifier.attach(bus);
  bus.publish({ kind: 'notify', at: clock.now(), node: 'lb2', instance: 'VI_1', state: 'MASTER', priority: 100 });
  bus.publish({ kind: 'notify', at: clock.now(), node: 'lb1', instance: 'VI_1', state: 'BACKUP', priority: 150 });
  assert.deepEqual(runs, [['/n.sh', 'INSTANCE', 'VI_1', 'BACKUP', '150']]);
  notifier.detach();
});

test('notify: a reload that renames instances carries each one\'s last state to its new name (a removal in FAULT is not told FAULT again)', () => {
  const { clock, runs, bus, scripts: runScripts } = notifyWorld();
  const scripts = { notify: { command: '/n.sh' } };
  const notifier = new Notifier({ instances: new Map([['VI_1', scripts], ['VI_2', scripts]]), groups: new Map(), scripts: runScripts, timeoutMs: 1000 });
  notifier.attach(bus);
  bus.publish({ kind: 'notify', at: clock.now(), node: 'lb1', instance: 'VI_1', state: 'FAULT', priority: 100 });
  bus.publish({ kind: 'notify', at: clock.now(), node: 'lb1', instance: 'VI_2', state: 'MASTER', priority: 100 });
  // The two swap names (keepalived matches them by their virtual routers): VI_2 is the one in FAULT now.
  notifier.renamed(new Map([['VI_1', 'VI_2'], ['VI_2', 'VI_1']]));
  runs.length = 0;
  // A later reload removes both: one in FAULT is not told FAULT again (keepalived clear_diff_vrrp), the other is.
  notifier.removing(['VI_1', 'VI_2']);
  bus.publish({ kind: 'notify', at: clock.now(), node: 'lb1', instance: 'VI_2', state: 'STOP', priority: 100 });
  bus.publish({ kind: 'notify', at: clock.now(), node: 'lb1', instance: 'VI_1', state: 'STOP', priority: 100 });
  assert.deepEqual(runs, [['/n.sh', 'INSTANCE', 'VI_1', 'FAULT', '100']]);
  notifier.detach();
});
