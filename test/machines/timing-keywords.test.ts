/**
 * keepalived's timing keywords on the instance machine and its timers, at exact times on the virtual clock:
 * down_timer_adverts (Master_Down_Interval), higher_prio_send_advert, lower_prio_no_advert with the Adver_Timer,
 * and vrrp_startup_delay (the timers' `notBefore`, and the owner's wait).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { masterDownMs, vrrpInstanceMachine, vrrpStateName, type VrrpInstanceParams } from '../../machines/vrrp-instance.js';
import { vrrpTimers } from '../../machines/vrrp-timers.js';
import { masterDownMicros } from '../../machines/vrrp-timing.js';
import { effectLog, instanceParams } from './instance-params.js';

const params = instanceParams;

/** An instance whose effects are logged as "time what"; `startupUntil` as the runner passes vrrp_startup_delay. */
function instance(over: Partial<VrrpInstanceParams>, startupUntil?: number) {
  const { clock, log, at } = effectLog();
  const actor = createActor(
    vrrpInstanceMachine.provide({
      actions: {
        sendAdvertisement: ({ context }) => log.push(`${clock.now()} advert ${context.effectivePriority}`),
        sendPriorityZero: at('priority 0'),
        addVirtualAddresses: at('add'),
        removeVirtualAddresses: at('remove'),
        notify: (_, p) => log.push(`${clock.now()} notify ${p.state}`),
      },
      actors: vrrpTimers(clock, {
        advertise: () => log.push(`${clock.now()} advert (timer)`),
        ...(startupUntil !== undefined ? { notBefore: () => startupUntil } : {}),
      }),
    }),
    {
      input: { params: params(over), trackers: [{ id: 'interface:eth0', weight: 0, up: true }], startupDelayed: startupUntil !== undefined && startupUntil > 0 },
      clock,
    },
  );
  actor.start();
  const state = (): string => vrrpStateName(actor.getSnapshot().value);
  return { clock, log, actor, state };
}

const ADV = (priority: number, sourceIsHigher = true) => ({ type: 'ADVERTISEMENT', priority, intervalCs: 100, source: '192.168.77.12', sourceIsHigher }) as const;

test('down_timer_adverts N: Master_Down_Interval = N × Master_Adver_Interval + Skew_Time (keepalived VRRP_MS_DOWN_TIMER)', () => {
  assert.equal(masterDownMicros(3, 100, 100, 1), 1_609_375);
  assert.equal(masterDownMicros(3, 100, 100, 10), 10_609_375);
  assert.equal(masterDownMicros(2, 100, 100, 5), 5_609_375);
  for (const [adverts, expected] of [
    [1, 1609.375],
    [3, 3609.375],
    [7, 7609.375],
  ] as const) {
    const { clock, actor, state } = instance({ downTimerAdverts: adverts });
    actor.send({ type: 'START' });
    assert.equal(masterDownMs(actor.getSnapshot().context), expected);
    clock.runUntil(expected - 0.001);
    assert.equal(state(), 'BACKUP', `still BACKUP just before ${expected} ms (down_timer_adverts ${adverts})`);
    clock.runUntil(expected);
    assert.equal(state(), 'MASTER', `MASTER at ${expected} ms (down_timer_adverts ${adverts})`);
  }
});

test('down_timer_adverts also times an advertisement heard: the backup waits N intervals after the last one', () => {
  const { clock, actor, state } = instance({ downTimerAdverts: 2 });
  actor.send({ type: 'START' });
  clock.runUntil(1000);
  actor.send(ADV(200));
  // Skew_Time of priority 100 with the learnt interval of 1 s: (256 − 100) × 1 s / 256 = 609.375 ms.
  clock.runUntil(1000 + 2609.375 - 0.001);
  assert.equal(state(), 'BACKUP');
  clock.runUntil(1000 + 2609.375);
  assert.equal(state(), 'MASTER');
});

test('higher_prio_send_advert: a master hearing a higher priority advertises once, then steps down', () => {
  for (const on of [false, true]) {
    const { clock, log, actor, state } = instance({ priority: 200, higherPrioSendAdvert: on });
    actor.send({ type: 'START' });
    // Master_Down_Interval of priority 200: 3 s + (256 − 200) × 1 s / 256 = 3218.75 ms.
    clock.runUntil(3218.75);
    assert.equal(state(), 'MASTER');
    for (const [priority, higherAddress] of [
      [250, false],
      // Equal priority from a higher address counts as higher too (keepalived addr_cmp > 0).
      [200, true],
    ] as const) {
      actor.send({ type: 'SYNC', state: 'MASTER' });
      clock.runUntil(clock.now() + 500);
      log.length = 0;
      actor.send(ADV(priority, higherAddress));
      assert.equal(state(), 'BACKUP');
      const now = clock.now();
      assert.deepEqual(log, [...(on ? [`${now} advert 200`] : []), `${now} remove`, `${now} notify BACKUP`], `higher_prio_send_advert ${on}, priority ${priority}`);
    }
  }
});

test('a lower priority: an advertisement at once restarts the Adver_Timer, unless lower_prio_no_advert', () => {
  for (const noAdvert of [false, true]) {
    const { clock, log, actor } = instance({ priority: 255, lowerPrioNoAdvert: noAdvert, garpLowerPrioRepeat: 2 });
    actor.send({ type: 'START' });
    clock.runUntil(2300);
    log.length = 0;
    actor.send(ADV(100, true));
    clock.runUntil(5000);
    assert.deepEqual(log, noAdvert ? ['3000 advert (timer)', '4000 advert (timer)', '5000 advert (timer)'] : ['2300 advert 255', '3300 advert (timer)', '4300 advert (timer)'], `lower_prio_no_advert ${noAdvert}`);
  }
});

test('vrrp_startup_delay: a backup cannot take over before the delay plus its Master_Down_Interval', () => {
  const { clock, actor, state } = instance({}, 5000);
  actor.send({ type: 'START' });
  assert.equal(state(), 'BACKUP');
  clock.runUntil(5000 + 3609.375 - 0.001);
  assert.equal(state(), 'BACKUP');
  clock.runUntil(5000 + 3609.375);
  assert.equal(state(), 'MASTER');
});

test('vrrp_startup_delay: an advertisement heard during the delay counts from its end; after it, from the advertisement', () => {
  const { clock, actor, state } = instance({}, 5000);
  actor.send({ type: 'START' });
  clock.runUntil(4000);
  // keepalived vrrp_init_instance_sands: sands = end of the delay + ms_down_timer (3 × 1 s + skew of 100).
  actor.send(ADV(200));
  clock.runUntil(5000 + 3609.375 - 0.001);
  assert.equal(state(), 'BACKUP');
  clock.runUntil(5000 + 3609.375);
  assert.equal(state(), 'MASTER', 'the advertisement heard at 4 s timed from the end of the delay');

  const later = instance({}, 5000);
  later.actor.send({ type: 'START' });
  later.clock.runUntil(6000);
  later.actor.send(ADV(200));
  later.clock.runUntil(6000 + 3609.375 - 0.001);
  assert.equal(later.state(), 'BACKUP', 'an advertisement after the delay times from itself');
  later.clock.runUntil(6000 + 3609.375);
  assert.equal(later.state(), 'MASTER');
});

test('vrrp_startup_delay: the address owner becomes master at the end of the delay, without notifying BACKUP first', () => {
  const { clock, log, actor, state } = instance({ priority: 255 }, 2500);
  actor.send({ type: 'START' });
  assert.equal(state(), 'INIT');
  clock.runUntil(2499);
  assert.deepEqual(log, []);
  clock.runUntil(2500);
  assert.equal(state(), 'MASTER');
  assert.deepEqual(log, ['2500 advert 255', '2500 add', '2500 notify MASTER']);
});

test('vrrp_startup_delay: an owner whose interface goes down during the delay is FAULT, and master once it is back after the delay', () => {
  const { clock, actor, state } = instance({ priority: 255 }, 2500);
  actor.send({ type: 'START' });
  clock.runUntil(1000);
  actor.send({ type: 'TRACK', id: 'interface:eth0', up: false });
  assert.equal(state(), 'FAULT');
  clock.runUntil(3000);
  actor.send({ type: 'TRACK', id: 'interface:eth0', up: true });
  assert.equal(state(), 'MASTER');
});
