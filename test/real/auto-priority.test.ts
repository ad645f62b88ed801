/**
 * max_auto_priority / min_auto_priority_delay (transport/real/auto-priority.ts): the real clock tells when its
 * earliest timer runs later than the delay, and each such time the thread goes one realtime priority up (from
 * SCHED_OTHER to 1), never past max_auto_priority; off at 0 and -1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextAutoPriority, watchAutoPriority } from '../../transport/real/auto-priority.js';
import { RealClock } from '../../transport/real/real-clock.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';

test('one priority up per late timer, from 1, up to max; nothing at 0 or -1', () => {
  assert.equal(nextAutoPriority(0, 3), 1);
  assert.equal(nextAutoPriority(1, 3), 2);
  assert.equal(nextAutoPriority(3, 3), undefined);
  assert.equal(nextAutoPriority(10, 3), undefined);
  assert.equal(nextAutoPriority(0, 0), undefined);
  assert.equal(nextAutoPriority(0, -1), undefined);
});

test('the real clock reports a timer run later than the delay; each report raises the priority, the rlimit with the first', async () => {
  const clock = new RealClock({ precision: 'spin' });
  const asked: ThreadScheduling[] = [];
  const said: string[] = [];
  watchAutoPriority(clock, { max: 2, minDelayUs: 20_000, rlimitRttimeUs: 5000 }, (m) => said.push(m), (s) => {
    asked.push(s);
    return [];
  });
  for (let round = 0; round < 3; round++) {
    await new Promise<void>((resolve) => {
      clock.setTimeout(resolve, 1);
      // The thread held up past the timer's due time by more than the delay.
      const until = performance.now() + 60;
      while (performance.now() < until);
    });
  }
  assert.deepEqual(asked, [{ realtimePriority: 1, rlimitRttimeUs: 5000 }, { realtimePriority: 2, rlimitRttimeUs: undefined }]);
  assert.equal(said.length, 2);
  assert.match(said[0]!, /s late: realtime priority 1 \(max_auto_priority 2\)/);
});

test('timers on time raise nothing', async () => {
  const clock = new RealClock({ precision: 'spin' });
  const asked: ThreadScheduling[] = [];
  watchAutoPriority(clock, { max: 5, minDelayUs: 5_000_000 }, () => {}, (s) => {
    asked.push(s);
    return [];
  });
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => clock.setTimeout(resolve, 2));
  assert.deepEqual(asked, []);
});
