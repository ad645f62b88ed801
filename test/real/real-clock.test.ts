/**
 * RealClock (transport/real-clock.ts): precise timers never fire early, fire once, and a timer cancelled in its
 * last stretch (the setImmediate part) does not fire; plain timers are the event loop's. Lower bounds and order only:
 * nothing here asserts how late a timer may be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { RealClock } from '../../transport/real-clock.js';

function fireAt(clock: RealClock, ms: number, precise = true): Promise<number> {
  return new Promise((resolve) => (precise ? clock.setPreciseTimeout(() => resolve(clock.now()), ms) : clock.setTimeout(() => resolve(clock.now()), ms)));
}

test('a precise timer fires once, never before its deadline', async () => {
  const clock = new RealClock({ spinMs: 5 });
  for (const ms of [0.4, 10, 12.375, 30.9]) {
    const start = clock.now();
    const at = await fireAt(clock, ms);
    assert.ok(at - start >= ms, `${ms} ms timer fired after ${at - start} ms`);
  }
  let fired = 0;
  clock.setPreciseTimeout(() => fired++, 10);
  await delay(40);
  assert.equal(fired, 1);
});

test('a precise timer cancelled during its last stretch does not fire', async () => {
  // 40 ms, of which the last 35 are the setImmediate stretch: cancelled at 20 ms, it is in that stretch.
  const clock = new RealClock({ spinMs: 35 });
  let fired = false;
  const id = clock.setPreciseTimeout(() => (fired = true), 40);
  await delay(20);
  clock.clearTimeout(id);
  await delay(60);
  assert.equal(fired, false);
});

test('timers fire in deadline order, precise and plain alike; unknown ids are ignored', async () => {
  const clock = new RealClock({ spinMs: 3 });
  const order: string[] = [];
  clock.setPreciseTimeout(() => order.push('precise 30'), 30);
  clock.setTimeout(() => order.push('plain 5'), 5);
  clock.setPreciseTimeout(() => order.push('precise 20'), 20);
  const cancelled = clock.setPreciseTimeout(() => order.push('cancelled'), 25);
  clock.clearTimeout(cancelled);
  clock.clearTimeout(12345);
  await delay(60);
  assert.deepEqual(order, ['plain 5', 'precise 20', 'precise 30']);
});

test('plain timers are the event loop\'s own', async () => {
  const clock = new RealClock();
  const start = clock.now();
  const at = await fireAt(clock, 150, false);
  assert.ok(at - start >= 149, 'never early by more than the event loop rounds');
});
