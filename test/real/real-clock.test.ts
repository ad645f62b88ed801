/**
 * RealClock (transport/real/real-clock.ts): precise timers never fire early, fire once, in deadline order, and a
 * cancelled one does not fire, whether they wake the loop by timerfd (the addon) or by spinning the last stretch on
 * setImmediate; plain timers are the event loop's. Lower bounds and order only: nothing here asserts how late a
 * timer may be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { RealClock, type RealClockOptions } from '../../transport/real/real-clock.js';
import { nativeAvailable } from '../../native/index.js';

function fireAt(clock: RealClock, ms: number, precise = true): Promise<number> {
  return new Promise((resolve) => (precise ? clock.setPreciseTimeout(() => resolve(clock.now()), ms) : clock.setTimeout(() => resolve(clock.now()), ms)));
}

/** Resolves once `done()` holds (polled every 2 ms); fails after 10 s. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 2) {
    if (waited > 10_000) throw new Error('condition not reached in 10 s');
    await delay(2);
  }
}

const kinds: { name: string; skip: string | false; options: (spinMs: number) => RealClockOptions }[] = [
  { name: 'spinning', skip: false, options: (spinMs) => ({ precision: 'spin', spinMs }) },
  { name: 'timerfd', skip: nativeAvailable() ? false : 'vigil_native addon not built', options: () => ({ precision: 'timerfd' }) },
];

for (const kind of kinds) {
  test(`${kind.name}: a precise timer fires once, never before its deadline`, { skip: kind.skip }, async () => {
    const clock = new RealClock(kind.options(5));
    for (const ms of [0, 0.4, 10, 12.375, 30.9]) {
      const start = clock.now();
      const at = await fireAt(clock, ms);
      assert.ok(at - start >= ms, `${ms} ms timer fired after ${at - start} ms`);
    }
    let fired = 0;
    clock.setPreciseTimeout(() => fired++, 10);
    await until(() => fired > 0);
    await delay(30);
    assert.equal(fired, 1);
  });

  test(`${kind.name}: a precise timer cancelled shortly before its deadline does not fire`, { skip: kind.skip }, async () => {
    // 40 ms; spinning, the last 35 are the setImmediate stretch: cancelled at 20 ms, by a precise timer (so before
    // the deadline however late this test runs), it is in that stretch.
    const clock = new RealClock(kind.options(35));
    let fired = false;
    let cancelled = false;
    const id = clock.setPreciseTimeout(() => (fired = true), 40);
    clock.setPreciseTimeout(() => {
      clock.clearTimeout(id);
      cancelled = true;
    }, 20);
    await until(() => cancelled);
    await delay(60);
    assert.equal(fired, false);
  });

  test(`${kind.name}: timers fire in deadline order, precise and plain alike; unknown ids are ignored`, { skip: kind.skip }, async () => {
    const clock = new RealClock(kind.options(3));
    const order: string[] = [];
    clock.setPreciseTimeout(() => order.push('precise 30'), 30);
    clock.setTimeout(() => order.push('plain 5'), 5);
    clock.setPreciseTimeout(() => order.push('precise 20'), 20);
    const cancelled = clock.setPreciseTimeout(() => order.push('cancelled'), 25);
    clock.clearTimeout(cancelled);
    clock.clearTimeout(12345);
    // Until the last one fired (the cancelled one was due before it), however loaded the machine.
    await until(() => order.includes('precise 30'));
    assert.deepEqual(order, ['plain 5', 'precise 20', 'precise 30']);
  });

  test(`${kind.name}: a timer set from a firing one, and the earliest cancelled: the rest still fire, each once`, { skip: kind.skip }, async () => {
    const clock = new RealClock(kind.options(3));
    const fired: string[] = [];
    const first = clock.setPreciseTimeout(() => fired.push('first'), 5);
    clock.setPreciseTimeout(() => {
      fired.push('second');
      clock.setPreciseTimeout(() => fired.push('chained'), 10);
    }, 15);
    clock.setPreciseTimeout(() => fired.push('third'), 15);
    clock.clearTimeout(first);
    await until(() => fired.includes('chained'));
    await delay(10);
    // One queue for every precise timer, whatever wakes it: deadline order, however loaded the machine.
    assert.deepEqual(fired, ['second', 'third', 'chained']);
  });

  test(`${kind.name}: a job yielding with nextTurn lets a precise timer due meanwhile run between two of its turns; a cancelled turn never runs`, { skip: kind.skip }, async () => {
    const clock = new RealClock(kind.options(3));
    const order: string[] = [];
    clock.setPreciseTimeout(() => order.push('precise'), 5);
    // A job of turns that each hold the loop for a millisecond, until it has seen the timer fire (or 10 s).
    const started = clock.now();
    let turns = 0;
    const turn = (): void => {
      turns++;
      const end = clock.now() + 1;
      while (clock.now() < end);
      if (order.includes('precise') || clock.now() - started > 10_000) order.push('job done');
      else clock.nextTurn(turn);
    };
    clock.nextTurn(turn);
    const cancelled = clock.nextTurn(() => order.push('cancelled'));
    clock.clearTimeout(cancelled);
    await until(() => order.includes('job done'));
    await delay(10);
    assert.deepEqual(order, ['precise', 'job done']);
    assert.ok(turns > 1, `the job yielded (${turns} turns)`);
  });

  test(`${kind.name}: nextTurn runs after the timers already due, in the order asked`, { skip: kind.skip }, async () => {
    const clock = new RealClock(kind.options(3));
    const order: string[] = [];
    clock.setTimeout(() => order.push('plain 0'), 0);
    clock.nextTurn(() => order.push('turn 1'));
    clock.nextTurn(() => order.push('turn 2'));
    await until(() => order.length === 3);
    assert.deepEqual(order, ['plain 0', 'turn 1', 'turn 2']);
  });
}

test('plain timers are the event loop\'s own', async () => {
  const clock = new RealClock();
  const start = clock.now();
  const at = await fireAt(clock, 150, false);
  assert.ok(at - start >= 149, 'never early by more than the event loop rounds');
});
