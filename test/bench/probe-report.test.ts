/**
 * bench/tools/probe-report.ts: each advertisement period more than 2 ms off is put down to what covers at least
 * half of its lateness (the run-queue wait over the period, then the collections overlapping it, then its longest
 * batch), and periods on time are left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latePeriods, probeReport, type Probe } from '../../bench/tools/probe-report.js';

const ms = 1e6;
/** Sends of VRID 100 at these wall times (ms) with these cumulative run-queue waits (ms). */
function sends(walls: number[], waits: number[]): Probe['sends'] {
  return walls.map((wall, i) => ({ wall, vrid: 100, cpuNs: i * ms, waitNs: waits[i]! * ms }));
}

test('late periods are put down to the run queue, a collection, a long batch, or none of these', () => {
  const probe: Probe = {
    // Periods: 50 (on time), 60 (waited 8 ms), 50.5 (on time), 70 (a 15 ms scavenge), 60 (a 9 ms batch), 56 (nothing).
    sends: sends([0, 50, 110, 160.5, 230.5, 290.5, 346.5], [0, 0, 8, 8, 9, 9, 9]),
    gcs: [{ wall: 170, ms: 15, kind: 1 }, { wall: 5, ms: 1, kind: 1 }],
    batches: [{ wall: 240, ms: 9, count: 64 }, { wall: 300, ms: 0.1, count: 3 }],
    loops: [],
  };
  const late = latePeriods(probe, 0, 400, 100, 50);
  assert.deepEqual(
    late.map((l) => l.cause),
    ['run queue', 'gc', 'long batch', 'other'],
  );
  assert.deepEqual(
    late.map((l) => Math.round(l.lateMs * 10) / 10),
    [10, 20, 10, 6],
  );
  // Another VRID, or a window that leaves the periods out: nothing.
  assert.deepEqual(latePeriods(probe, 0, 400, 101, 50), []);
  assert.deepEqual(latePeriods(probe, 400, 800, 100, 50), []);
  const lines = probeReport(probe, 0, 400, 100, 50);
  assert.match(lines.at(-1)!, /4 periods off by more than 2 ms, put down to: run queue 1 .*gc 1 .*long batch 1 .*other 1/);
});
