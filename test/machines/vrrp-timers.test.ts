/**
 * Master_Down_Timer and Adver_Timer (machines/vrrp-timers.ts) on the virtual clock. On an exact clock a restart
 * only moves the deadline; on a clock with precise timers a restart re-arms one. Both must tell MASTER_DOWN
 * exactly Master_Down_Interval after the last restart, once, and never while restarts keep coming.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, sendTo, setup } from 'xstate';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { adverTimer, masterDownTimer } from '../../machines/vrrp-timers.js';
import type { Clock, TimerId } from '../../machines/clock.js';

const INTERVAL = 3609.375;

/** A parent that invokes the timer, forwards ADV as RESTART, and records when MASTER_DOWN arrives. */
function harness(clock: Clock, downs: number[]) {
  const machine = setup({
    types: { events: {} as { type: 'ADV' } | { type: 'MASTER_DOWN' } },
    actors: { timer: masterDownTimer(clock) },
  }).createMachine({
    initial: 'waiting',
    states: {
      waiting: {
        invoke: { id: 'timer', src: 'timer', input: { delayMs: INTERVAL } },
        on: {
          ADV: { actions: sendTo('timer', { type: 'RESTART', delayMs: INTERVAL }) },
          MASTER_DOWN: { target: 'down', actions: () => downs.push(clock.now()) },
        },
      },
      down: {},
    },
  });
  return createActor(machine, { clock }).start();
}

/** The virtual clock, offering precise timers (counted) as the daemon's clock does. */
function preciseClock(clock: VirtualClock, calls: { precise: number }): Clock {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (id: TimerId) => clock.clearTimeout(id),
    setPreciseTimeout: (fn, ms) => {
      calls.precise++;
      return clock.setTimeout(fn, ms);
    },
  };
}

for (const mode of ['exact clock', 'precise timers'] as const) {
  test(`Master_Down_Timer (${mode}): fires exactly Master_Down_Interval after the last restart, once`, () => {
    const clock = new VirtualClock();
    const calls = { precise: 0 };
    const downs: number[] = [];
    const actor = harness(mode === 'exact clock' ? clock : preciseClock(clock, calls), downs);
    // Restarts every second for a minute (at 1 s, 2 s, … 60 s): never down meanwhile.
    for (let t = 1000; t <= 60_000; t += 1000) {
      clock.runUntil(t);
      assert.deepEqual(downs, [], `down at ${downs[0]} although restarted at ${t - 1000}`);
      actor.send({ type: 'ADV' });
    }
    clock.runUntil(120_000);
    assert.deepEqual(downs, [60_000 + INTERVAL]);
    if (mode === 'precise timers') assert.equal(calls.precise, 61, 'one precise timer at start and one per restart');
    else assert.ok(clock.eventsRun < 40, `${clock.eventsRun} timer events for 60 restarts: the deadline moves, the timer does not`);
  });
}

test('Master_Down_Timer: without restarts it fires at the first deadline; stopped, it never fires', () => {
  const clock = new VirtualClock();
  const downs: number[] = [];
  harness(clock, downs);
  clock.runUntil(10_000);
  assert.deepEqual(downs, [INTERVAL]);
  const stoppedDowns: number[] = [];
  const stopped = harness(clock, stoppedDowns);
  clock.runUntil(11_000);
  stopped.stop();
  clock.runUntil(30_000);
  assert.deepEqual(stoppedDowns, []);
});

test('Adver_Timer: one advertisement per interval while invoked, none after it stops', () => {
  const clock = new VirtualClock();
  const sent: number[] = [];
  const machine = setup({ actors: { adver: adverTimer(clock, () => sent.push(clock.now())) } }).createMachine({
    initial: 'on',
    states: { on: { invoke: { src: 'adver', input: { intervalMs: 1000 } }, on: { OFF: 'off' } }, off: {} },
  });
  const actor = createActor(machine, { clock }).start();
  clock.runUntil(5500);
  actor.send({ type: 'OFF' });
  clock.runUntil(10_000);
  assert.deepEqual(sent, [1000, 2000, 3000, 4000, 5000]);
});
