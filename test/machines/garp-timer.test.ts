/**
 * The master's gratuitous ARP schedule (machines/garp-timer.ts), invoked by the instance machine while MASTER, on
 * the virtual clock: keepalived's garp_master_repeat at once, again after garp_master_delay, then
 * garp_master_refresh_repeat every garp_master_refresh, each burst spaced by vrrp_garp_interval; a lower priority
 * heard adds garp_lower_prio_repeat at once and after garp_lower_prio_delay; garp_extra_if's own period. Exact times;
 * leaving MASTER ends it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { vrrpInstanceMachine, vrrpStateName, type VrrpInstanceParams } from '../../machines/vrrp-instance.js';
import { vrrpTimers } from '../../machines/vrrp-timers.js';
import { announcementsAtOnce, burst, type GarpSchedule } from '../../machines/garp-timer.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { instanceParams } from './instance-params.js';

const KEEPALIVED_DEFAULTS: GarpSchedule = {
  garpMasterDelayMs: 5000,
  garpMasterRepeat: 5,
  garpMasterRefreshMs: 0,
  garpMasterRefreshRepeat: 1,
  garpIntervalMs: 0,
  garpLowerPrioRepeat: 5,
  garpLowerPrioDelayMs: 5000,
  garpExtraIfMs: 0,
};

function params(garp: Partial<GarpSchedule>, priority = 255): VrrpInstanceParams {
  return instanceParams({ priority, ...KEEPALIVED_DEFAULTS, ...garp });
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

test('a lower priority heard: garp_lower_prio_repeat at once and again after garp_lower_prio_delay; the master schedule goes on', () => {
  const { clock, announced, actor } = master(
    { garpMasterRepeat: 2, garpMasterDelayMs: 3000, garpMasterRefreshMs: 10_000, garpIntervalMs: 500, garpLowerPrioRepeat: 2, garpLowerPrioDelayMs: 4000 },
    200,
  );
  actor.send({ type: 'START' });
  actor.send({ type: 'SYNC', state: 'MASTER' });
  assert.equal(vrrpStateName(actor.getSnapshot().value), 'MASTER');
  clock.runUntil(3200);
  // keepalived vrrp_state_master_rx: a burst of its own (priority 100 < 200), repeated 4 s later.
  actor.send({ type: 'ADVERTISEMENT', priority: 100, intervalCs: 100, source: '192.168.77.12', sourceIsHigher: true });
  clock.runUntil(14_000);
  assert.deepEqual(announced, [
    '0 1',
    '500 1',
    '3000 1',
    '3200 1',
    // Due from the second master burst: a lower priority heard leaves it alone.
    '3500 1',
    '3700 1',
    '7200 1',
    '7700 1',
    // The refresh counts from becoming master still.
    '10000 1',
  ]);
});

test('each lower-priority advertisement has its own repeat; repeat 0 (strict mode) announces nothing', () => {
  const lower = { type: 'ADVERTISEMENT', priority: 100, intervalCs: 100, source: '192.168.77.12', sourceIsHigher: true } as const;
  const { clock, announced, actor } = master({ garpMasterDelayMs: 0, garpMasterRepeat: 1, garpLowerPrioRepeat: 3, garpLowerPrioDelayMs: 5000 }, 200);
  actor.send({ type: 'START' });
  actor.send({ type: 'SYNC', state: 'MASTER' });
  clock.runUntil(1000);
  actor.send(lower);
  clock.runUntil(2000);
  actor.send(lower);
  clock.runUntil(10_000);
  assert.deepEqual(announced, ['0 1', '1000 3', '2000 3', '6000 3', '7000 3']);

  const none = master({ garpMasterDelayMs: 0, garpMasterRepeat: 1, garpLowerPrioRepeat: 0, garpLowerPrioDelayMs: 0 }, 200);
  none.actor.send({ type: 'START' });
  none.actor.send({ type: 'SYNC', state: 'MASTER' });
  none.clock.runUntil(1000);
  none.actor.send(lower);
  none.clock.runUntil(10_000);
  assert.deepEqual(none.announced, ['0 1']);
});

test('garp_extra_if: the extra interfaces are announced on every interval while master, and no more once it leaves', () => {
  const clock = new VirtualClock();
  const extra: number[] = [];
  const actor = createActor(
    vrrpInstanceMachine.provide({
      actors: vrrpTimers(clock, { advertise: () => undefined, announceExtra: () => extra.push(clock.now()) }),
    }),
    { input: { params: params({ garpExtraIfMs: 30_000 }), trackers: [{ id: 'interface:eth0', weight: 0, up: true }] }, clock },
  );
  actor.start();
  actor.send({ type: 'START' });
  clock.runUntil(95_000);
  actor.send({ type: 'STOP' });
  clock.runUntil(200_000);
  assert.deepEqual(extra, [30_000, 60_000, 90_000]);
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
