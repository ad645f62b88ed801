/**
 * Why an instance became master (RFC 6527 vrrpv3StatisticsNewMasterReason), as keepalived 2.2.7 records it
 * (vrrp.c vrrp_state_backup, vrrp_scheduler.c vrrp_init_state): the address owner at start is `preempted`, a
 * backup whose Master_Down_Timer runs out is `masterNoResponse`, one that heard priority 0 is `priority`, one that
 * discarded a lower priority is `preempted`. The reason is the machine's context, set before notify MASTER runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { vrrpInstanceMachine, vrrpStateName, type MasterReason, type VrrpInstanceParams } from '../../machines/vrrp-instance.js';
import { vrrpTimers } from '../../machines/vrrp-timers.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { instanceParams } from './instance-params.js';

const PARAMS: VrrpInstanceParams = instanceParams();

/** Starts an instance; `hear` is called once it is BACKUP; returns the reasons notify MASTER saw, in order. */
function run(priority: number, hear: (advert: (p: number) => void, clock: VirtualClock) => void): { reasons: MasterReason[]; state: string } {
  const clock = new VirtualClock();
  const reasons: MasterReason[] = [];
  const actor = createActor(
    vrrpInstanceMachine.provide({
      actions: {
        notify: ({ context }, params) => {
          if (params.state === 'MASTER') reasons.push(context.masterReason);
        },
      },
      actors: vrrpTimers(clock, { advertise: () => {}, announce: () => {} }),
    }),
    { input: { params: { ...PARAMS, priority }, trackers: [] }, clock },
  );
  actor.start();
  assert.equal(actor.getSnapshot().context.masterReason, 'notMaster');
  actor.send({ type: 'START' });
  hear((p) => actor.send({ type: 'ADVERTISEMENT', priority: p, intervalCs: 100, source: '192.168.77.12', sourceIsHigher: true }), clock);
  const state = vrrpStateName(actor.getSnapshot().value);
  actor.stop();
  return { reasons, state };
}

test('the address owner becomes master at start: preempted (keepalived vrrp_init_state)', () => {
  assert.deepEqual(run(255, () => {}), { reasons: ['preempted'], state: 'MASTER' });
});

test('no advertisement through Master_Down_Interval: masterNoResponse', () => {
  assert.deepEqual(run(100, (_, clock) => clock.runUntil(5000)), { reasons: ['masterNoResponse'], state: 'MASTER' });
});

test('a master that leaves with priority 0: priority', () => {
  const r = run(100, (advert, clock) => {
    advert(200);
    clock.runUntil(1000);
    advert(0);
    clock.runUntil(2000);
  });
  assert.deepEqual(r, { reasons: ['priority'], state: 'MASTER' });
});

test('a lower priority discarded, then the timer runs out: preempted; a higher one heard since: masterNoResponse', () => {
  const preempting = run(100, (advert, clock) => {
    for (let t = 500; t <= 5000; t += 1000) {
      clock.runUntil(t);
      advert(50);
    }
  });
  assert.deepEqual(preempting, { reasons: ['preempted'], state: 'MASTER' });
  // The lower priority first, then an accepted master that falls silent.
  const silent = run(100, (advert, clock) => {
    advert(50);
    clock.runUntil(500);
    advert(200);
    clock.runUntil(6000);
  });
  assert.deepEqual(silent, { reasons: ['masterNoResponse'], state: 'MASTER' });
});

test("an SNMP set of the base priority above the master's: the backup preempts it (preempted); with nopreempt set it does not", () => {
  const hearMaster = (set: (send: (e: { type: 'SET_PRIORITY'; priority: number } | { type: 'SET_PREEMPT'; preempt: boolean }) => void) => void) => {
    const clock = new VirtualClock();
    const reasons: MasterReason[] = [];
    const actor = createActor(
      vrrpInstanceMachine.provide({
        actions: { notify: ({ context }, params) => void (params.state === 'MASTER' && reasons.push(context.masterReason)) },
        actors: vrrpTimers(clock, { advertise: () => {}, announce: () => {} }),
      }),
      { input: { params: PARAMS, trackers: [] }, clock },
    );
    actor.start();
    actor.send({ type: 'START' });
    const advert = () => actor.send({ type: 'ADVERTISEMENT', priority: 150, intervalCs: 100, source: '192.168.77.12', sourceIsHigher: true });
    for (let t = 0; t <= 10_000; t += 1000) {
      clock.runUntil(t);
      if (t === 3000) set((e) => actor.send(e));
      if (vrrpStateName(actor.getSnapshot().value) === 'BACKUP') advert();
    }
    const out = { state: vrrpStateName(actor.getSnapshot().value), reasons, priority: actor.getSnapshot().context.effectivePriority };
    actor.stop();
    return out;
  };
  assert.deepEqual(hearMaster(() => {}), { state: 'BACKUP', reasons: [], priority: 100 });
  assert.deepEqual(hearMaster((send) => send({ type: 'SET_PRIORITY', priority: 200 })), { state: 'MASTER', reasons: ['preempted'], priority: 200 });
  assert.deepEqual(
    hearMaster((send) => {
      send({ type: 'SET_PREEMPT', preempt: false });
      send({ type: 'SET_PRIORITY', priority: 200 });
    }),
    { state: 'BACKUP', reasons: [], priority: 200 },
  );
});
