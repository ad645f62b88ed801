/**
 * keepalived's checker timing on the virtual clock, asserted to the millisecond: bootstrap + warmup, delay_loop,
 * retry × delay_before_retry before DOWN, one success for UP, alpha, ha_suspend, MISC_CHECK's from-start
 * schedule, and stale results after a timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { checkerMachine, firstProbeDelayMs, type CheckerReport } from '../../machines/checker.js';
import { checkerTimers } from '../../machines/checker-timers.js';
import type { CheckerParams, ProbeWeight } from '../../machines/checker-logic.js';

type Answer = { ok: boolean; latencyMs: number; weight?: ProbeWeight } | 'silent';

interface Harness {
  clock: VirtualClock;
  probes: number[];
  reports: { at: number; report: CheckerReport }[];
  actor: ReturnType<typeof createActor<typeof checkerMachine>>;
  states: () => { at: number; up: boolean }[];
  loopTimers: () => number;
}

const base: CheckerParams = {
  delayLoopMs: 6000,
  timeoutMs: 5000,
  retry: 2,
  delayBeforeRetryMs: 3000,
  delayWhileDownMs: 6000,
  alpha: false,
  fromStart: false,
};

/** A checker whose probes are answered by `world(startTime)`. */
function harness(
  params: Partial<CheckerParams>,
  world: (at: number) => Answer,
  opts: { firstDelayMs?: number; enabled?: boolean; selfTimed?: boolean } = {},
): Harness {
  const clock = new VirtualClock();
  const probes: number[] = [];
  const reports: { at: number; report: CheckerReport }[] = [];
  // The loop's own timers, counted (the world's answers use the clock directly).
  let loopTimers = 0;
  const loopClock = {
    now: () => clock.now(),
    setTimeout: (fn: () => void, ms: number) => {
      loopTimers++;
      return clock.setTimeout(fn, ms);
    },
    clearTimeout: (id: number) => clock.clearTimeout(id),
  };
  // The probe loop bound to the virtual clock, its probes answered by `world`.
  const machine = checkerMachine.provide({
    actions: {
      report: (_, report) => {
        reports.push({ at: clock.now(), report });
      },
    },
    actors: checkerTimers(loopClock, {
      probe: (done) => {
        const at = clock.now();
        probes.push(at);
        const answer = world(at);
        if (answer === 'silent') {
          // A self-timed prober (the native TCP connector) answers connect_timeout itself; otherwise it never
          // answers and the loop's race decides.
          const timeoutMs = params.timeoutMs ?? base.timeoutMs;
          if (opts.selfTimed) clock.setTimeout(() => done({ ok: false, latencyMs: timeoutMs, detail: 'connect timeout' }), timeoutMs);
          return opts.selfTimed ?? false;
        }
        clock.setTimeout(() => done({ ok: answer.ok, latencyMs: answer.latencyMs, detail: '', ...(answer.weight ? { weight: answer.weight } : {}) }), answer.latencyMs);
        return opts.selfTimed ?? false;
      },
    }),
  });
  const actor = createActor(machine, {
    clock,
    input: { id: 'c1', params: { ...base, ...params }, firstDelayMs: opts.firstDelayMs ?? 1000, enabled: opts.enabled ?? true },
  });
  actor.start();
  const states = () => reports.map((r) => ({ at: r.at, up: r.report.up }));
  return { clock, probes, reports, actor, states, loopTimers: () => loopTimers };
}

test('first probe: 1 s bootstrap plus a uniform draw in [0, warmup], to the microsecond', () => {
  assert.equal(firstProbeDelayMs(0, 0.73), 1000);
  assert.equal(firstProbeDelayMs(6000, 0), 1000);
  assert.equal(firstProbeDelayMs(6000, 0.5), 4000);
  assert.equal(firstProbeDelayMs(10, 0.123456789), 1001.234);
});

test('healthy server: a probe every delay_loop after the previous one ends', () => {
  const h = harness({}, () => ({ ok: true, latencyMs: 10 }));
  h.clock.runUntil(30_000);
  // Ends at 1010, next starts 7010, ends 7020, next 13020 …
  assert.deepEqual(h.probes, [1000, 7010, 13_020, 19_030, 25_040]);
  // Only the first result is reported (the state did not change).
  assert.deepEqual(h.states(), [{ at: 1010, up: true }]);
  assert.equal(h.reports[0]!.report.firstRun, true);
});

test('refused connections: DOWN exactly retry × delay_before_retry after the first failure', () => {
  // Up until 10 s, then refusing (an immediate failure).
  const h = harness({}, (at) => ({ ok: at < 10_000, latencyMs: 0 }));
  h.clock.runUntil(40_000);
  // 1000 ok, 7000 ok, 13000 fail (retry 1), 16000 fail (retry 2), 19000 fail → DOWN, then every delay_loop.
  assert.deepEqual(h.probes, [1000, 7000, 13_000, 16_000, 19_000, 25_000, 31_000, 37_000]);
  assert.deepEqual(h.states(), [
    { at: 1000, up: true },
    { at: 19_000, up: false },
  ]);
});

test('silent server: DOWN at t + (retry+1) × connect_timeout + retry × delay_before_retry; one success brings it UP', () => {
  // Answers until 10 s, silent until 41 s, then answers again.
  const h = harness({}, (at) => (at < 10_000 || at >= 41_000 ? { ok: true, latencyMs: 0 } : 'silent'));
  h.clock.runUntil(60_000);
  const t = 13_000; // the first probe that gets no answer
  const down = t + 3 * 5000 + 2 * 3000;
  assert.equal(down, 34_000);
  // 13000 (timeout 18000) → 21000 (timeout 26000) → 29000 (timeout 34000: DOWN) → 40000 (timeout 45000) → 51000 ok.
  assert.deepEqual(h.probes, [1000, 7000, 13_000, 21_000, 29_000, 40_000, 51_000, 57_000]);
  assert.deepEqual(h.states(), [
    { at: 1000, up: true },
    { at: down, up: false },
    { at: 51_000, up: true },
  ]);
});

test('a prober that keeps connect_timeout itself: the same schedule and states, and no race timer of the loop', () => {
  const world = (at: number): Answer => (at < 10_000 || at >= 41_000 ? { ok: true, latencyMs: 0 } : 'silent');
  const raced = harness({}, world);
  const selfTimed = harness({}, world, { selfTimed: true });
  raced.clock.runUntil(60_000);
  selfTimed.clock.runUntil(60_000);
  assert.deepEqual(selfTimed.probes, raced.probes);
  assert.deepEqual(selfTimed.states(), raced.states());
  assert.deepEqual(selfTimed.states()[1], { at: 34_000, up: false });
  // One timer per probe fewer: the race the loop no longer sets.
  assert.equal(raced.loopTimers() - selfTimed.loopTimers(), raced.probes.length);
});

test('a success while retrying resets the count', () => {
  // Fails at 13000 and 19000-ish, but succeeds in between.
  const answers = new Map<number, boolean>([
    [13_000, false],
    [16_000, true],
    [22_000, false],
    [25_000, false],
    [28_000, true],
  ]);
  const h = harness({}, (at) => ({ ok: answers.get(at) ?? true, latencyMs: 0 }));
  h.clock.runUntil(40_000);
  assert.deepEqual(h.probes, [1000, 7000, 13_000, 16_000, 22_000, 25_000, 28_000, 34_000, 40_000]);
  assert.deepEqual(h.states(), [{ at: 1000, up: true }]);
});

test('retry 0: the first failure is DOWN', () => {
  const h = harness({ retry: 0 }, (at) => ({ ok: at < 10_000, latencyMs: 0 }));
  h.clock.runUntil(20_000);
  assert.deepEqual(h.states(), [
    { at: 1000, up: true },
    { at: 13_000, up: false },
  ]);
});

test('without alpha the first failure is enough (keepalived starts retry_it at retry)', () => {
  const h = harness({}, () => ({ ok: false, latencyMs: 0 }));
  h.clock.runUntil(14_000);
  assert.deepEqual(h.probes, [1000, 7000, 13_000]);
  assert.deepEqual(h.states(), [{ at: 1000, up: false }]);
  assert.equal(h.reports[0]!.report.firstRun, true);
});

test('alpha: starts DOWN, the first success brings it UP; a first failure is reported (notify_down) but no retries', () => {
  const ok = harness({ alpha: true }, () => ({ ok: true, latencyMs: 0 }));
  assert.equal(ok.actor.getSnapshot().context.up, false);
  ok.clock.runUntil(2000);
  assert.deepEqual(ok.states(), [{ at: 1000, up: true }]);

  const bad = harness({ alpha: true }, (at) => ({ ok: at >= 13_000, latencyMs: 0 }));
  bad.clock.runUntil(20_000);
  assert.deepEqual(bad.probes, [1000, 7000, 13_000, 19_000]);
  assert.deepEqual(bad.states(), [
    { at: 1000, up: false },
    { at: 13_000, up: true },
  ]);
});

test('HTTP_GET waits max(delay_before_retry, delay_loop) while down', () => {
  const h = harness({ delayBeforeRetryMs: 8000, delayWhileDownMs: 8000, retry: 1 }, (at) => ({ ok: at < 5000, latencyMs: 0 }));
  h.clock.runUntil(40_000);
  // 1000 ok, 7000 fail (retry), 15000 fail → DOWN, then every 8 s.
  assert.deepEqual(h.probes, [1000, 7000, 15_000, 23_000, 31_000, 39_000]);
  assert.deepEqual(h.states(), [
    { at: 1000, up: true },
    { at: 15_000, up: false },
  ]);
});

test('MISC_CHECK: the next run is counted from the previous start', () => {
  const h = harness({ fromStart: true, retry: 1 }, (at) => ({ ok: at < 10_000, latencyMs: 2000 }));
  h.clock.runUntil(30_000);
  // Starts at 1000 (ends 3000) → 7000 (ends 9000) → 13000 fail (ends 15000) → retry at 16000 fail → DOWN at 18000.
  assert.deepEqual(h.probes, [1000, 7000, 13_000, 16_000, 22_000, 28_000]);
  assert.deepEqual(h.states(), [
    { at: 3000, up: true },
    { at: 18_000, up: false },
  ]);
});

test('a result arriving after the timeout is stale and ignored', () => {
  // Every probe answers OK, but after 7 s: past the 5 s timeout.
  const h = harness({ retry: 0 }, () => ({ ok: true, latencyMs: 7000 }));
  h.clock.runUntil(20_000);
  assert.deepEqual(h.states(), [{ at: 6000, up: false }]);
  assert.equal(h.actor.getSnapshot().context.up, false);
});

test('ha_suspend: a disabled checker keeps its state and does not probe; enabled, it resumes at the next due time', () => {
  const h = harness({}, () => ({ ok: false, latencyMs: 0 }), { enabled: false });
  h.clock.runUntil(20_000);
  assert.deepEqual(h.probes, []);
  assert.equal(h.actor.getSnapshot().context.up, true);
  h.actor.send({ type: 'ENABLE' });
  h.clock.runUntil(30_000);
  // Due times pass at 1000, 7000, 13000, 19000 (suspended); 25000 probes.
  assert.deepEqual(h.probes, [25_000]);
  assert.deepEqual(h.states(), [{ at: 25_000, up: false }]);
});

test('misc_dynamic weights are reported on change only; DOWN clears them', () => {
  const weights = [12, 12, 20];
  let i = 0;
  const h = harness({ retry: 0 }, () => {
    const w = weights[i++];
    return w === undefined ? { ok: false, latencyMs: 0 } : { ok: true, latencyMs: 0, weight: { kind: 'absolute', value: w } };
  });
  h.clock.runUntil(20_000);
  assert.deepEqual(
    h.reports.map((r) => [r.at, r.report.up, r.report.weight?.value]),
    [
      [1000, true, 12],
      [13_000, true, 20],
      [19_000, false, undefined],
    ],
  );
});

test('CHECK_NOW probes at once (FILE_CHECK on a file change)', () => {
  const h = harness({}, () => ({ ok: true, latencyMs: 0 }));
  h.clock.runUntil(2500);
  h.actor.send({ type: 'CHECK_NOW' });
  h.clock.runUntil(9000);
  assert.deepEqual(h.probes, [1000, 2500, 8500]);
});
