/**
 * The timing keywords' defaults and strict-mode rules as config/finalize-vrrp.ts applies them (keepalived 2.2.7
 * vrrp.c vrrp_complete_instance, vrrp_complete_init; global_parser.c vrrp_min_garp_handler).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instance, parse, parserWarningsOf } from './helpers.js';

function vi(text: string) {
  const r = parse(text);
  assert.deepEqual(r.errors, []);
  const v = r.config.vrrpInstances[0]!;
  return {
    v,
    warnings: parserWarningsOf(r),
    garp: [v.garpMasterRepeat, v.garpMasterDelay, v.garpMasterRefresh, v.garpMasterRefreshRepeat, v.garpLowerPrioRepeat, v.garpLowerPrioDelay],
  };
}

test('garp_lower_prio_repeat / _delay default to the global GARP repeat and delay; given globally or per instance they win', () => {
  assert.deepEqual(vi(instance('')).garp, [5, 5, 0, 1, 5, 5]);
  assert.deepEqual(vi('global_defs {\n  vrrp_garp_master_repeat 3\n  vrrp_garp_master_delay 2\n}\n' + instance('')).garp, [3, 2, 0, 1, 3, 2]);
  assert.deepEqual(vi('global_defs {\n  vrrp_garp_lower_prio_repeat 1\n  vrrp_garp_lower_prio_delay 7\n}\n' + instance('')).garp, [5, 5, 0, 1, 1, 7]);
  assert.deepEqual(vi(instance('  garp_lower_prio_repeat 2\n  garp_lower_prio_delay 0')).garp, [5, 5, 0, 1, 2, 0]);
  // The instance's own garp_master_repeat is not the lower-priority default: the global one is.
  assert.deepEqual(vi(instance('  garp_master_repeat 2')).garp, [2, 5, 0, 1, 5, 5]);
});

test('vrrp_min_garp: one announcement, no delayed burst, no refresh, for the values still at their defaults', () => {
  assert.deepEqual(vi('global_defs {\n  vrrp_min_garp\n}\n' + instance('')).garp, [1, 0, 0, 1, 1, 0]);
  assert.deepEqual(vi('global_defs {\n  vrrp_min_garp false\n}\n' + instance('')).garp, [5, 5, 0, 1, 5, 5]);
  // A refresh given with it repeats 0 announcements (vrrp_min_garp took the refresh repeat to 0): no refresh,
  // unless a refresh repeat is given too.
  assert.deepEqual(vi('global_defs {\n  vrrp_min_garp\n  vrrp_garp_master_repeat 3\n  vrrp_garp_master_refresh 60\n}\n' + instance('')).garp, [3, 0, 0, 1, 3, 0]);
  assert.deepEqual(
    vi('global_defs {\n  vrrp_min_garp\n  vrrp_garp_master_refresh 60\n  vrrp_garp_master_refresh_repeat 2\n}\n' + instance('')).garp,
    [1, 0, 60, 2, 1, 0],
  );
  assert.deepEqual(vi('global_defs {\n  vrrp_min_garp\n}\n' + instance('  garp_master_repeat 4')).garp, [4, 0, 0, 1, 1, 0]);
});

test('strict mode: no lower-priority GARPs, no higher_prio_send_advert, 3 down_timer_adverts; what was given is reset with a warning', () => {
  const plain = vi('global_defs {\n  vrrp_strict\n}\n' + instance(''));
  assert.deepEqual([plain.v.garpLowerPrioRepeat, plain.v.garpLowerPrioDelay, plain.v.higherPrioSendAdvert, plain.v.downTimerAdverts], [0, 0, false, 3]);
  assert.deepEqual(plain.warnings, []);
  const given = vi(
    'global_defs {\n  vrrp_strict\n  vrrp_higher_prio_send_advert\n}\n' +
      instance('  garp_lower_prio_repeat 2\n  garp_lower_prio_delay 1\n  higher_prio_send_advert\n  down_timer_adverts 5'),
  );
  assert.deepEqual([given.v.garpLowerPrioRepeat, given.v.garpLowerPrioDelay, given.v.higherPrioSendAdvert, given.v.downTimerAdverts], [0, 0, false, 3]);
  for (const keyword of ['garp_lower_prio_repeat', 'garp_lower_prio_delay', 'higher_prio_send_advert', 'down_timer_adverts']) {
    assert.ok(given.warnings.some((w) => w.includes(keyword)), `a warning about ${keyword}: ${given.warnings.join('\n')}`);
  }
  // Without strict mode the global setting is the instance's default.
  assert.equal(vi('global_defs {\n  vrrp_higher_prio_send_advert\n  vrrp_down_timer_adverts 6\n}\n' + instance('')).v.higherPrioSendAdvert, true);
  assert.equal(vi('global_defs {\n  vrrp_down_timer_adverts 6\n}\n' + instance('')).v.downTimerAdverts, 6);
});

test('interface_up_down_delays: without an up delay a link coming up is acted on at once (keepalived: 0)', () => {
  const r = parse('interface_up_down_delays {\n  eth0 2\n  eth1 1 0.5\n}\n' + instance(''));
  assert.deepEqual(
    r.config.interfaceUpDownDelays.map((d) => [d.interface, d.downDelay, d.upDelay]),
    [
      ['eth0', 2, 0],
      ['eth1', 1, 0.5],
    ],
  );
});
