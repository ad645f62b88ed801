/**
 * The master's gratuitous ARP schedule (machines/garp-timer.ts), invoked by the instance machine while MASTER, on
 * the virtual clock: keepalived's garp_master_repeat at once, again after garp_master_delay, then
 * garp_master_refresh_repeat every garp_master_refresh, each burst spaced by vrrp_garp_interval. Exact times; a
 * lower-priority master heard starts the schedule over; leaving MASTER ends it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { vrrpInstanceMachine, vrrpStateName, type VrrpInstanceParams } from '../../machines/vrrp-instance.js';
import { vrrpTimers } from '../../machines/vrrp-timers.js';
import { announcementsAtOnce, burst, type GarpSchedule } from '../../machines/garp-timer.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const KEEPALIVED_DEFAULTS: GarpSchedule = {
  garpMasterDelayMs: 5000,
  garpMasterRepeat: 5,
  garpMasterRefreshMs: 0,
  garpMasterRefreshRepeat: 1,
  garpIntervalMs: 0,
};

function params(garp: Partial<GarpSchedule>, priority = 255): VrrpInstanceParams {
  return {
    name: 'VI_1',
    vrid: 51,
    version: 3,
    priority,
    advertIntervalCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    lowerPrioNoAdvert: false,
    ...KEEPALIVED_DEFAULTS,
    ...garp,
  };
}

/** An instance (the owner: MASTER at once) whose announcements are logged as "time count". */
function master(garp: Partial<GarpSchedule>, priority = 255) {
  const clock = new VirtualClock();
  const announced: string[] = [];
  const actor = createActor(
    vrrpInstanceMachine.provide({
      actions: { announce: (_, p) => announced.push(`${clock.now()} ${p.count}`) },
      actors: vrrpTimers(clock, { advertise: () => undefined, announce: (count) => announced.push(`${clock.now()} ${count}`) }),
    }),
    { input: { params: params(garp, priority), trackers: [{ id: 'interface:eth0', weight: 0, up: true }] }, clock },
  );
  actor.start();
  return { clock, announced, actor };
}

test('bursts: all at once without an interval, else one per interval', () => {
  assert.deepEqual(burst(5, 0), [{ offsetMs: 0, count: 5 }]);
  assert.deepEqual(burst(3, 100), [
    { offsetMs: 0, count: 1 },
    { offsetMs: 100, count: 1 },
    { offsetMs: 200, count: 1 },
  ]);
  assert.deepEqual(burst(0, 100), []);
  assert.equal(announcementsAtOnce(KEEPALIVED_DEFAULTS), 5);
  assert.equal(announcementsAtOnce({ ...KEEPALIVED_DEFAULTS, garpIntervalMs: 50 }), 1);
});

test("keepalived's defaults: five at once, five more 5 s later, then nothing", () => {
  const { clock, announced, actor } = master({});
  actor.send({ type: 'START' });
  clock.runUntil(120_000);
  assert.equal(vrrpStateName(actor.getSnapshot().value), 'MASTER');
  assert.deepEqual(announced, ['0 5', '5000 5']);
});

test('repeat, delay, refresh with its own repeat, and the interval: exact times', () => {
  const { clock, announced, actor } = master({
    garpMasterRepeat: 3,
    garpMasterDelayMs: 2000,
    garpMasterRefreshMs: 10_000,
    garpMasterRefreshRepeat: 2,
    garpIntervalMs: 100,
  });
  clock.runUntil(1000);
  actor.send({ type: 'START' });
  clock.runUntil(31_500);
  const at = (offsets: number[]) => offsets.map((o) => `${1000 + o} 1`);
  assert.deepEqual(announced, at([0, 100, 200, 2000, 2100, 2200, 10_000, 10_100, 20_000, 20_100, 30_000, 30_100]));
});

test('without an interval a refresh burst is garp_master_refresh_repeat at once; no delay means no second burst', () => {
  const { clock, announced, actor } = master({ garpMasterDelayMs: 0, garpMasterRefreshMs: 7000, garpMasterRefreshRepeat: 3 });
  actor.send({ type: 'START' });
  clock.runUntil(21_000);
  assert.deepEqual(announced, ['0 5', '7000 3', '14000 3', '21000 3']);
});

test('a lower-priority master heard starts the schedule over; what was due from the old one is dropped', () => {
  const { clock, announced, actor } = master({ garpMasterRepeat: 2, garpMasterDelayMs: 3000, garpMasterRefreshMs: 10_000, garpIntervalMs: 500 }, 200);
  actor.send({ type: 'START' });
  actor.send({ type: 'SYNC', state: 'MASTER' });
  assert.equal(vrrpStateName(actor.getSnapshot().value), 'MASTER');
  clock.runUntil(3200);
  // keepalived forces a new election: it advertises and announces again at once (priority 100 < 200).
  actor.send({ type: 'ADVERTISEMENT', priority: 100, intervalCs: 100, source: '192.168.77.12', sourceIsHigher: true });
  clock.runUntil(14_000);
  assert.deepEqual(announced, [
    '0 1',
    '500 1',
    '3000 1',
    // 3500 was due from the delayed burst; the restart at 3200 dropped it.
    '3200 1',
    '3700 1',
    '6200 1',
    '6700 1',
    // The refresh counts from the restart too: 13200, not 10000.
    '13200 1',
  ]);
});

test('leaving MASTER ends the schedule: nothing after stepping down, faulting or stopping', () => {
  for (const leave of [
    { type: 'ADVERTISEMENT', priority: 254, intervalCs: 100, source: '192.168.77.12', sourceIsHigher: true },
    { type: 'TRACK', id: 'interface:eth0', up: false },
    { type: 'STOP' },
  ] as const) {
    const { clock, announced, actor } = master({ garpMasterRefreshMs: 2000, garpIntervalMs: 100 }, 200);
    actor.send({ type: 'START' });
    actor.send({ type: 'SYNC', state: 'MASTER' });
    clock.runUntil(250);
    actor.send(leave);
    assert.notEqual(vrrpStateName(actor.getSnapshot().value), 'MASTER', leave.type);
    // Past the rest of the burst and the refresh at 2 s; before a backup hearing nobody takes over (3 s and more).
    clock.runUntil(3250);
    assert.notEqual(vrrpStateName(actor.getSnapshot().value), 'MASTER', leave.type);
    assert.deepEqual(announced, ['0 1', '100 1', '200 1'], leave.type);
  }
});
