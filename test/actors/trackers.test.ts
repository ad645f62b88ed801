/** track_file: the polled tracker on the virtual clock, file values, weights. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { PolledTracker, parseTrackFile, type Observation } from '../../actors/trackers/polled-tracker-runner.js';
import { effectivePriority, trackersFault } from '../../machines/vrrp-priority.js';

test('track_file value: value × weight; with weight 0 a non-zero value is FAULT; clamped to 1..254; owner untouched', () => {
  assert.equal(effectivePriority(100, { 'file:f': { weight: 5, up: false, value: 3 } }), 115);
  assert.equal(effectivePriority(100, { 'file:f': { weight: -10, up: false, value: 2 } }), 80);
  assert.equal(effectivePriority(100, { 'file:f': { weight: 10, up: false, value: 50 } }), 254);
  assert.equal(effectivePriority(255, { 'file:f': { weight: 10, up: false, value: -50 } }), 255);
  assert.equal(trackersFault({ 'file:f': { weight: 0, up: false, value: 1 } }), true);
  assert.equal(trackersFault({ 'file:f': { weight: 0, up: true, value: 0 } }), false);
  assert.equal(trackersFault({ 'file:f': { weight: 3, up: false, value: 1 } }), false);
});

test('parseTrackFile: integers, blanks, garbage and a missing file', () => {
  assert.deepEqual(parseTrackFile('42\n'), { up: false, value: 42 });
  assert.deepEqual(parseTrackFile(' -7 '), { up: false, value: -7 });
  assert.deepEqual(parseTrackFile('0'), { up: true, value: 0 });
  assert.deepEqual(parseTrackFile('abc'), { up: true, value: 0 });
  assert.deepEqual(parseTrackFile(undefined), { up: true, value: 0 });
});

test('polled tracker: looks every interval and reports only changes, at their virtual time', async () => {
  const clock = new VirtualClock();
  const values = [0, 0, 3, 3, 3, 0, 0];
  let i = 0;
  const reports: [number, Observation][] = [];
  const tracker = new PolledTracker('file:f', 1000, async () => parseTrackFile(String(values[Math.min(i++, values.length - 1)])), {
    clock,
    onStatus: (_, seen) => reports.push([clock.now(), seen]),
  });
  tracker.start();
  for (let t = 0; t < 8; t++) {
    await new Promise((r) => setImmediate(r));
    clock.runFor(1000);
  }
  assert.deepEqual(reports, [
    [0, { up: true, value: 0 }],
    [2000, { up: false, value: 3 }],
    [5000, { up: true, value: 0 }],
  ]);
  tracker.stop();
});
