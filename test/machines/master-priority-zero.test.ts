/**
 * A master that hears priority 0 (another router leaving, RFC 5798 §6.4.3) sends one advertisement at once and
 * restarts its Adver_Timer, and does nothing else (keepalived vrrp_state_master_rx): it stays MASTER without
 * re-adding its addresses, announcing them again or notifying MASTER a second time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { vrrpInstanceMachine, vrrpStateName, type VrrpInstanceParams } from '../../machines/vrrp-instance.js';
import { vrrpTimers } from '../../machines/vrrp-timers.js';
import { effectLog, instanceParams } from './instance-params.js';

// keepalived's defaults: a second burst of 5 after 5 s, no refresh; the address owner.
const PARAMS: VrrpInstanceParams = instanceParams({
  priority: 255,
  garpMasterDelayMs: 5000,
  garpMasterRepeat: 5,
  garpLowerPrioRepeat: 5,
  garpLowerPrioDelayMs: 5000,
});

test('a master hearing priority 0 sends one advertisement, restarts its Adver_Timer and does nothing else', () => {
  const { clock, log, at } = effectLog();
  const actor = createActor(
    vrrpInstanceMachine.provide({
      actions: {
        sendAdvertisement: at('advert'),
        sendPriorityZero: at('priority 0'),
        addVirtualAddresses: at('add'),
        removeVirtualAddresses: at('remove'),
        announce: (_, params) => log.push(`${clock.now()} announce ${params.count}`),
        notify: (_, params) => log.push(`${clock.now()} notify ${params.state}`),
      },
      actors: vrrpTimers(clock, { advertise: at('advert (timer)'), announce: (count) => log.push(`${clock.now()} announce ${count} (timer)`) }),
    }),
    { input: { params: PARAMS, trackers: [] }, clock },
  );
  actor.start();
  actor.send({ type: 'START' });
  assert.deepEqual(log, ['0 advert', '0 add', '0 announce 5', '0 notify MASTER']);
  clock.runUntil(2500);
  log.length = 0;
  actor.send({ type: 'ADVERTISEMENT', priority: 0, intervalCs: 100, source: '192.168.77.12', sourceIsHigher: true });
  clock.runUntil(5000);
  assert.equal(vrrpStateName(actor.getSnapshot().value), 'MASTER');
  // The Adver_Timer counts again from 2.5 s: the next advertisements at 3.5 s and 4.5 s, not at 3 s and 4 s. The
  // GARP schedule goes on from becoming master: its second burst at 5 s.
  assert.deepEqual(log, ['2500 advert', '3500 advert (timer)', '4500 advert (timer)', '5000 announce 5 (timer)']);
  actor.stop();
});
