/**
 * Tracked objects' effect on priority and FAULT as keepalived 2.2.7 computes it (vrrp_track.c, track_file.c,
 * keepalived_netlink.c): the weight's sign says when it applies, `reverse` (the weight multiplier -1) turns the
 * adjustment round, and a track_file's value × weight is clamped to -254..253, -254 being FAULT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectivePriority, trackersFault, type TrackerState } from '../../machines/vrrp-priority.js';

const one = (t: TrackerState): Record<string, TrackerState> => ({ t });

test('weights without reverse: a positive weight counts while up, a negative one while down; weight 0 is FAULT while down', () => {
  assert.deepEqual(
    [true, false].map((up) => [effectivePriority(100, one({ weight: 30, up })), effectivePriority(100, one({ weight: -7, up }))]),
    [
      [130, 100],
      [100, 93],
    ],
  );
  assert.deepEqual([trackersFault(one({ weight: 0, up: false })), trackersFault(one({ weight: 0, up: true }))], [true, false]);
});

test('reverse: the same condition, the opposite adjustment; weight 0 reverse is FAULT while up', () => {
  assert.deepEqual(
    [true, false].map((up) => [effectivePriority(100, one({ weight: 30, reverse: true, up })), effectivePriority(100, one({ weight: -7, reverse: true, up }))]),
    [
      [70, 100],
      [100, 107],
    ],
  );
  assert.deepEqual([trackersFault(one({ weight: 0, reverse: true, up: true })), trackersFault(one({ weight: 0, reverse: true, up: false }))], [true, false]);
  // Measured on keepalived 2.2.7: priority 100, `eth1 weight 30 reverse` and `eth1p weight -7 reverse`, both links
  // down: "Changing effective priority from 100 to 107".
  assert.equal(effectivePriority(100, { 'interface:eth1': { weight: 30, reverse: true, up: false }, 'interface:eth1p': { weight: -7, reverse: true, up: false } }), 107);
});

test('track_file: value × weight (× -1 with reverse), each file clamped to 253 and FAULT at -254 or below', () => {
  assert.equal(effectivePriority(100, one({ weight: -30, up: false, value: 2 })), 40);
  assert.equal(effectivePriority(100, one({ weight: -30, reverse: true, up: false, value: 2 })), 160);
  // One file's +500 counts as +253 before the other's -200 is added: 100 + 253 - 200.
  assert.equal(effectivePriority(100, { a: { weight: 5, up: false, value: 100 }, b: { weight: -2, up: false, value: 100 } }), 153);
  assert.equal(trackersFault(one({ weight: -5, up: false, value: 50 })), false, '-250 is a priority change');
  assert.equal(trackersFault(one({ weight: -5, up: false, value: 51 })), true, '-255 is FAULT');
  assert.equal(trackersFault(one({ weight: 5, reverse: true, up: false, value: 51 })), true);
  // Weight 0: a non-zero value is FAULT; with reverse, a zero value is.
  assert.deepEqual(
    [0, 3].map((value) => [trackersFault(one({ weight: 0, up: value === 0, value })), trackersFault(one({ weight: 0, reverse: true, up: value === 0, value }))]),
    [
      [false, true],
      [true, false],
    ],
  );
  // A file in FAULT adds nothing to the priority.
  assert.equal(effectivePriority(100, one({ weight: -5, up: false, value: 60 })), 100);
});

test('the address owner keeps 255 whatever the weights, but a FAULT still holds it', () => {
  assert.equal(effectivePriority(255, { a: { weight: -50, up: false }, b: { weight: 5, reverse: true, up: true } }), 255);
  assert.equal(trackersFault({ a: { weight: 0, up: false } }), true);
});
