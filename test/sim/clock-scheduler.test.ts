/** RxJS on the Clock contract: timers, intervals, debouncing and cancellation in virtual time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debounceTime, interval, Subject, take, timer } from 'rxjs';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { ClockScheduler } from '../../transport/clock-scheduler.js';

test('timer, interval and debounceTime run at their virtual times; unsubscribing cancels', () => {
  const clock = new VirtualClock();
  const scheduler = new ClockScheduler(clock);
  const seen: string[] = [];
  timer(1500, scheduler).subscribe(() => seen.push(`timer@${clock.now()}`));
  interval(1000, scheduler).pipe(take(3)).subscribe((n) => seen.push(`tick${n}@${clock.now()}`));
  const cancelled = timer(2500, scheduler).subscribe(() => seen.push('never'));
  const input = new Subject<number>();
  input.pipe(debounceTime(300, scheduler)).subscribe((v) => seen.push(`debounced ${v}@${clock.now()}`));
  clock.setTimeout(() => input.next(1), 100);
  clock.setTimeout(() => input.next(2), 200);
  clock.setTimeout(() => cancelled.unsubscribe(), 2000);
  clock.runUntil(10_000);
  assert.deepEqual(seen, ['debounced 2@500', 'tick0@1000', 'timer@1500', 'tick1@2000', 'tick2@3000']);
  assert.equal(scheduler.now(), 10_000);
});
