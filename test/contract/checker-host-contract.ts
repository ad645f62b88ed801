/**
 * The CheckerHost contract (actors/checks/checker-host.ts): where checkers run, in-process (the simulator) or in a
 * worker thread (the daemon). Added checkers report their first state; counters count every probe and failures
 * apart; a checker added paused, or paused later (ha_suspend), does not probe until resumed; a removed one probes
 * no more; one resumed with its last state (initialUp) does not report it again; a duplicate id is refused and
 * the host keeps running; stop() completes the stream.
 *
 * Nothing is judged by elapsed time: "does not probe" is checked while a sentinel checker (an answering target,
 * so never a failure) goes on probing, with the paused one aimed at a refusing target (so any probe of it would be
 * a failure in the counters).
 */
import assert from 'node:assert/strict';
import type { CheckerHost, HostEvent } from '../../actors/checks/checker-host.js';
import type { ResolvedChecker } from '../../actors/checks/resolve-checkers.js';
import type { ContractCase } from './contract.js';

export interface CheckerHostRig {
  /** A fresh host (each case stops its own). */
  host(): CheckerHost;
  /** A checker probing a target that answers ('up') or refuses ('down'). */
  checker(id: string, target: 'up' | 'down'): ResolvedChecker;
  /** Lets the host's time go on until `done()` holds: runs the virtual clock, or waits in real time. */
  until(done: () => boolean | Promise<boolean>): Promise<void>;
}

interface Watched {
  readonly host: CheckerHost;
  readonly events: HostEvent[];
  reports(id?: string): string[];
  completed(): boolean;
}

function watch(host: CheckerHost): Watched {
  const events: HostEvent[] = [];
  let completed = false;
  host.events$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
  return {
    host,
    events,
    reports: (id) =>
      events.flatMap((e) => (e.kind === 'report' && (id === undefined || e.report.id === id) ? [`${e.report.id} ${e.report.up ? 'UP' : 'DOWN'}`] : [])),
    completed: () => completed,
  };
}

/** Runs `body` on a new host of the rig, watched from its start, and stops the host after it whatever happened. */
async function withWatchedHost(rig: CheckerHostRig, body: (w: Watched) => Promise<void>): Promise<void> {
  const w = watch(rig.host());
  try {
    await body(w);
  } finally {
    await w.host.stop();
  }
}

/** Waits until the host has run `n` more probes than now (the sentinel's, when everything else is quiet). */
async function probesMore(rig: CheckerHostRig, host: CheckerHost, n: number): Promise<void> {
  const from = (await host.counters()).probes;
  await rig.until(async () => (await host.counters()).probes >= from + n);
}

export const checkerHostContract: readonly ContractCase<CheckerHostRig>[] = [
  {
    name: 'added checkers report their first state: UP for an answering target, DOWN for a refusing one',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.add([rig.checker('up', 'up'), rig.checker('down', 'down')]);
        await rig.until(() => w.reports().length >= 2);
        assert.deepEqual(w.reports().sort(), ['down DOWN', 'up UP']);
        const first = w.events.flatMap((e) => (e.kind === 'report' ? [e.report.firstRun] : []));
        assert.deepEqual(first, [true, true], 'the first report of each is marked firstRun');
      }),
  },
  {
    name: 'counters count every probe, and the failed ones apart',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.add([rig.checker('up', 'up')]);
        await probesMore(rig, w.host, 3);
        assert.equal((await w.host.counters()).failures, 0, 'an answering target never fails');
        w.host.add([rig.checker('down', 'down')]);
        await rig.until(async () => (await w.host.counters()).failures >= 3);
        const c = await w.host.counters();
        assert.ok(c.probes >= c.failures + 3, `probes ${c.probes}, failures ${c.failures}`);
      }),
  },
  {
    name: 'a checker added paused does not probe until resumed, then reports',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.add([rig.checker('sentinel', 'up')]);
        w.host.add([rig.checker('paused', 'down')], { disabled: new Set(['paused']) });
        await rig.until(() => w.reports('sentinel').length === 1);
        await probesMore(rig, w.host, 3);
        assert.equal((await w.host.counters()).failures, 0, 'the paused checker probed');
        assert.deepEqual(w.reports('paused'), []);
        w.host.setEnabled(['paused'], true);
        await rig.until(() => w.reports('paused').length === 1);
        assert.deepEqual(w.reports('paused'), ['paused DOWN']);
      }),
  },
  {
    name: 'a running checker paused probes no more; resumed, it probes again',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.add([rig.checker('sentinel', 'up'), rig.checker('down', 'down')]);
        await rig.until(async () => (await w.host.counters()).failures >= 2);
        w.host.setEnabled(['down'], false);
        await probesMore(rig, w.host, 1); // a probe under way when paused may still end
        const failures = (await w.host.counters()).failures;
        await probesMore(rig, w.host, 3);
        assert.equal((await w.host.counters()).failures, failures, 'a paused checker probed');
        w.host.setEnabled(['down'], true);
        await rig.until(async () => (await w.host.counters()).failures > failures);
      }),
  },
  {
    name: 'a removed checker probes and reports no more; its id can be added again',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.add([rig.checker('sentinel', 'up'), rig.checker('down', 'down')]);
        await rig.until(async () => (await w.host.counters()).failures >= 2);
        w.host.remove(['down']);
        await probesMore(rig, w.host, 1);
        const failures = (await w.host.counters()).failures;
        const reports = w.reports().length;
        await probesMore(rig, w.host, 3);
        assert.equal((await w.host.counters()).failures, failures, 'a removed checker probed');
        assert.equal(w.reports().length, reports);
        w.host.add([rig.checker('down', 'down')]);
        await rig.until(() => w.reports('down').length === 2);
      }),
  },
  {
    name: 'a checker resumed with its last state (initialUp) reports only a change',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.add([rig.checker('same', 'up'), rig.checker('changed', 'down')], { initialUp: new Map([['same', true], ['changed', true]]) });
        await rig.until(() => w.reports('changed').length === 1);
        await probesMore(rig, w.host, 4);
        assert.deepEqual(w.reports(), ['changed DOWN']);
      }),
  },
  {
    name: 'a duplicate id is refused, and the host keeps running',
    check: (rig) =>
      withWatchedHost(rig, async (w) => {
        w.host.add([rig.checker('a', 'up')]);
        assert.throws(() => w.host.add([rig.checker('b', 'up'), rig.checker('a', 'down')]), /duplicate/);
        await probesMore(rig, w.host, 3);
        assert.equal((await w.host.counters()).failures, 0, 'the refused duplicate (or its batch) probed');
        assert.deepEqual(w.reports(), ['a UP']);
        assert.deepEqual(w.events.filter((e) => e.kind === 'worker' && e.event !== 'started'), []);
      }),
  },
  {
    name: 'stop() completes the stream',
    async check(rig) {
      const w = watch(rig.host());
      w.host.add([rig.checker('up', 'up')]);
      await rig.until(() => w.reports().length === 1);
      await w.host.stop();
      assert.equal(w.completed(), true);
    },
  },
];
