/**
 * One track_process block's status (machines/tracked-process.ts) on the virtual clock, as keepalived 2.2.7's
 * track_process.c decides it: [quorum, quorum_max], fork_delay after a fork that crosses it, terminate_delay after
 * an exit, the one ending the other's delay, a new program or name judged at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { QUORUM_MAX_UNBOUNDED, trackedProcessMachine, type TrackedProcessEvent, type TrackedProcessInput } from '../../machines/tracked-process.js';

function tracked(input: Partial<TrackedProcessInput>) {
  const clock = new VirtualClock();
  const reports: [number, boolean, number][] = [];
  const machine = trackedProcessMachine.provide({ actions: { report: (_, p) => void reports.push([clock.now(), p.up, p.count]) } });
  const actor = createActor(machine, {
    clock,
    input: { name: 't', quorum: 1, quorumMax: QUORUM_MAX_UNBOUNDED, forkDelayMs: 0, terminateDelayMs: 0, ...input },
  }).start();
  const at = (ms: number, event: TrackedProcessEvent): void => {
    clock.runUntil(ms);
    actor.send(event);
  };
  return { clock, reports, at, actor };
}

test('nothing is reported before the first listing, which reports at once whatever it found', () => {
  const t = tracked({ forkDelayMs: 5000 });
  t.at(100, { type: 'COUNT', count: 1, cause: 'fork' });
  assert.deepEqual(t.reports, []);
  t.at(200, { type: 'LISTED', count: 0 });
  assert.deepEqual(t.reports, [[200, false, 0]]);
});

test('without delays the status follows every crossing of [quorum, quorum_max] at once', () => {
  const t = tracked({ quorum: 2, quorumMax: 3 });
  t.at(0, { type: 'LISTED', count: 2 });
  t.at(1000, { type: 'COUNT', count: 3, cause: 'fork' });
  t.at(2000, { type: 'COUNT', count: 4, cause: 'fork' });
  t.at(3000, { type: 'COUNT', count: 3, cause: 'exit' });
  t.at(4000, { type: 'COUNT', count: 1, cause: 'change' });
  assert.deepEqual(t.reports, [
    [0, true, 2],
    [2000, false, 4],
    [3000, true, 3],
    [4000, false, 1],
  ]);
});

test('fork_delay: up only fork_delay after the fork that reached the quorum, judged from the count then', () => {
  const t = tracked({ forkDelayMs: 2000 });
  t.at(0, { type: 'LISTED', count: 0 });
  t.at(1000, { type: 'COUNT', count: 1, cause: 'fork' });
  t.clock.runUntil(2999);
  assert.deepEqual(t.reports, [[0, false, 0]]);
  t.clock.runUntil(3000);
  assert.deepEqual(t.reports, [[0, false, 0], [3000, true, 1]]);
  // A fork that leaves and comes back within the delay: judged at its end from the count then (down, gone again).
  t.at(5000, { type: 'COUNT', count: 0, cause: 'change' });
  t.at(6000, { type: 'COUNT', count: 1, cause: 'fork' });
  t.at(6500, { type: 'COUNT', count: 0, cause: 'exit' });
  t.clock.runUntil(20_000);
  assert.deepEqual(t.reports, [[0, false, 0], [3000, true, 1], [5000, false, 0]]);
});

test('terminate_delay: down only terminate_delay after the exit; a fork back within it ends the delay, no report', () => {
  const t = tracked({ terminateDelayMs: 3000 });
  t.at(0, { type: 'LISTED', count: 1 });
  t.at(1000, { type: 'COUNT', count: 0, cause: 'exit' });
  t.clock.runUntil(3999);
  assert.deepEqual(t.reports, [[0, true, 1]]);
  t.clock.runUntil(4000);
  assert.deepEqual(t.reports, [[0, true, 1], [4000, false, 0]]);
  t.at(5000, { type: 'COUNT', count: 1, cause: 'fork' });
  t.at(6000, { type: 'COUNT', count: 0, cause: 'exit' });
  t.at(7000, { type: 'COUNT', count: 1, cause: 'fork' });
  t.clock.runUntil(20_000);
  assert.deepEqual(t.reports, [[0, true, 1], [4000, false, 0], [5000, true, 1]], 'the restart within terminate_delay never went down');
});

test('an exit during fork_delay ends it at once; a new program during terminate_delay too', () => {
  const t = tracked({ forkDelayMs: 5000, terminateDelayMs: 5000 });
  t.at(0, { type: 'LISTED', count: 0 });
  t.at(1000, { type: 'COUNT', count: 1, cause: 'fork' });
  t.at(2000, { type: 'COUNT', count: 0, cause: 'exit' });
  t.clock.runUntil(10_000);
  assert.deepEqual(t.reports, [[0, false, 0]], 'never up: the fork did not last');
  t.at(11_000, { type: 'COUNT', count: 1, cause: 'change' });
  t.at(12_000, { type: 'COUNT', count: 0, cause: 'exit' });
  t.at(13_000, { type: 'COUNT', count: 1, cause: 'change' });
  t.clock.runUntil(30_000);
  assert.deepEqual(t.reports, [[0, false, 0], [11_000, true, 1]]);
});

test('quorum_max: a fork past it is subject to fork_delay, an exit back below it to terminate_delay', () => {
  const t = tracked({ quorum: 1, quorumMax: 1, forkDelayMs: 1000, terminateDelayMs: 2000 });
  t.at(0, { type: 'LISTED', count: 1 });
  t.at(1000, { type: 'COUNT', count: 2, cause: 'fork' });
  t.clock.runUntil(2000);
  t.at(3000, { type: 'COUNT', count: 1, cause: 'exit' });
  t.clock.runUntil(10_000);
  assert.deepEqual(t.reports, [[0, true, 1], [2000, false, 2], [5000, true, 1]]);
});
