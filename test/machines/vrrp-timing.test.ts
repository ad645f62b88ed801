import { test } from 'node:test';
import assert from 'node:assert/strict';
import { masterDownMicros, skewMicros } from '../../machines/vrrp-timing.js';
import { effectivePriority, trackersFault } from '../../machines/vrrp-priority.js';

test('Skew_Time and Master_Down_Interval, v3 (RFC 5798 §6.1), truncated to the microsecond', () => {
  assert.equal(skewMicros(3, 100, 100), 609_375);
  assert.equal(skewMicros(3, 90, 100), 648_437); // 648437.5 truncated, as keepalived
  assert.equal(masterDownMicros(3, 100, 100), 3_609_375);
  assert.equal(masterDownMicros(3, 90, 100), 3_648_437);
  // The skew scales with the learnt interval: 5 cs (advert_int 0.05).
  assert.equal(skewMicros(3, 100, 5), 30_468);
  assert.equal(masterDownMicros(3, 100, 5), 180_468);
  assert.equal(skewMicros(3, 255, 100), 3_906);
});

test('Skew_Time v2 does not depend on the interval (RFC 3768 §6.1)', () => {
  assert.equal(skewMicros(2, 100, 100), 609_375);
  assert.equal(skewMicros(2, 100, 300), 609_375);
  assert.equal(masterDownMicros(2, 100, 300), 9_609_375);
});

test('effective priority: weights added while up (positive) or down (negative), clamped to 1..254', () => {
  assert.equal(effectivePriority(100, { a: { weight: 20, up: true } }), 120);
  assert.equal(effectivePriority(100, { a: { weight: 20, up: false } }), 100);
  assert.equal(effectivePriority(100, { a: { weight: -30, up: false } }), 70);
  assert.equal(effectivePriority(100, { a: { weight: -30, up: true } }), 100);
  assert.equal(effectivePriority(250, { a: { weight: 50, up: true } }), 254);
  assert.equal(effectivePriority(10, { a: { weight: -50, up: false } }), 1);
  // The owner's 255 is never changed by trackers.
  assert.equal(effectivePriority(255, { a: { weight: -50, up: false } }), 255);
});

test('a tracked object without weight faults the instance while down', () => {
  assert.equal(trackersFault({ a: { weight: 0, up: true } }), false);
  assert.equal(trackersFault({ a: { weight: 0, up: false } }), true);
  assert.equal(trackersFault({ a: { weight: -10, up: false } }), false);
});
