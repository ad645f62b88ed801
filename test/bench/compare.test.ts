/** bench/compare.ts: the verdicts of the daemon benchmark say "slower"/"faster" only past the noise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mannWhitneyP, median, verdict } from '../../bench/compare.js';

test('median of odd and even counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('Mann-Whitney: separated samples are significant, interleaved or equal ones are not', () => {
  const low = [1, 2, 3, 4, 5];
  const high = [6, 7, 8, 9, 10];
  // Normal approximation with continuity correction: z = 12 / sqrt(25 · 11 / 12) ≈ 2.507, p ≈ 0.0122.
  assert.ok(Math.abs(mannWhitneyP(low, high) - 0.0122) < 0.001);
  assert.equal(mannWhitneyP(low, high), mannWhitneyP(high, low));
  assert.ok(mannWhitneyP([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]) > 0.5);
  assert.equal(mannWhitneyP([5, 5, 5], [5, 5, 5]), 1);
  assert.equal(mannWhitneyP([], [1]), 1);
});

test('verdicts name the slower side only when significant, and ignore runs that saw nothing', () => {
  assert.match(verdict([10, 11, 12, 13, 14, 15], [1, 2, 3, 4, 5, 6]), /vigil SLOWER by 9\.0 ms/);
  assert.match(verdict([1, 2, 3, 4, 5, 6], [10, 11, 12, 13, 14, 15]), /vigil FASTER by 9\.0 ms/);
  assert.match(verdict([1, 3, 5, Number.NaN], [2, 4, 6]), /no measurable difference/);
  assert.match(verdict([Number.NaN], [1]), /not comparable/);
});
