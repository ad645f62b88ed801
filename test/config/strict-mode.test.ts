/**
 * vrrp_strict / strict_mode as keepalived 2.2.7's vrrp_complete_instance applies it to an instance: what RFC 5798
 * rules out is reset (said when it was asked for, silently when it came from global_defs), and the first IPv6 VIP
 * must be link-local; unicast peers are kept, as 2.2.7 keeps them. (Authentication, preempt_delay,
 * down_timer_adverts, state and accept: fixtures.test.ts and errors.test.ts.)
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { VrrpInstance } from '../../config/model.js';
import { errorsOf, instance, MAIN, parse, parserWarningsOf } from './helpers.js';

const STRICT = 'global_defs {\n  vrrp_strict\n}\n';

function read(text: string): { v: VrrpInstance; warnings: string[] } {
  const r = parse(text);
  return { v: r.config.vrrpInstances[0]!, warnings: parserWarningsOf(r).map((w) => w.slice(MAIN.length + 1)) };
}

test('strict mode: lower_prio_no_advert on, higher_prio_send_advert off, no gratuitous ARPs for a lower priority', () => {
  const { v, warnings } = read(STRICT + instance(''));
  assert.deepEqual([v.lowerPrioNoAdvert, v.higherPrioSendAdvert, v.garpLowerPrioDelay, v.garpLowerPrioRepeat], [true, false, 0, 0]);
  assert.deepEqual(warnings, []);
  const lenient = read(instance('')).v;
  assert.deepEqual([lenient.lowerPrioNoAdvert, lenient.higherPrioSendAdvert, lenient.garpLowerPrioDelay, lenient.garpLowerPrioRepeat], [false, false, undefined, undefined]);
});

test("strict mode: an instance's own settings against it are reset, with a warning each", () => {
  const { v, warnings } = read(STRICT + instance('  lower_prio_no_advert off\n  higher_prio_send_advert\n  garp_lower_prio_delay 2\n  garp_lower_prio_repeat 3'));
  assert.deepEqual([v.lowerPrioNoAdvert, v.higherPrioSendAdvert, v.garpLowerPrioDelay, v.garpLowerPrioRepeat], [true, false, 0, 0]);
  assert.deepEqual(warnings, [
    '4: vrrp_instance VI_1: strict mode requires lower_prio_no_advert - resetting',
    '4: vrrp_instance VI_1: strict mode requires higher_prio_send_advert to be off - resetting',
    '4: vrrp_instance VI_1: strict mode requires garp_lower_prio_delay 0 - resetting',
    '4: vrrp_instance VI_1: strict mode requires garp_lower_prio_repeat 0 - resetting',
  ]);
  // The same settings given as strict mode wants them are not warned about.
  assert.deepEqual(read(STRICT + instance('  lower_prio_no_advert\n  garp_lower_prio_repeat 0')).warnings, []);
});

test("strict mode: global_defs' contrary defaults give way silently; without strict mode they apply", () => {
  const globals = '  vrrp_lower_prio_no_advert off\n  vrrp_higher_prio_send_advert\n  vrrp_garp_lower_prio_repeat 4\n';
  const strict = read(`global_defs {\n  vrrp_strict\n${globals}}\n` + instance(''));
  assert.deepEqual([strict.v.lowerPrioNoAdvert, strict.v.higherPrioSendAdvert, strict.v.garpLowerPrioRepeat], [true, false, 0]);
  assert.deepEqual(strict.warnings, []);
  const lenient = read(`global_defs {\n${globals}}\n` + instance('')).v;
  assert.deepEqual([lenient.lowerPrioNoAdvert, lenient.higherPrioSendAdvert, lenient.garpLowerPrioRepeat], [false, true, 4]);
});

test('strict_mode on one instance only: the other keeps its own settings', () => {
  const r = parse(instance('  strict_mode\n  higher_prio_send_advert', 'A', 1) + instance('  higher_prio_send_advert', 'B', 2));
  assert.deepEqual(
    r.config.vrrpInstances.map((v) => [v.name, v.strictMode, v.higherPrioSendAdvert, v.accept]),
    [
      ['A', true, false, false],
      ['B', false, true, true],
    ],
  );
});

test('strict mode: a VMAC keeps no MAC of its own and advertisements leave through it (no vmac_xmit_base)', () => {
  const { v, warnings } = read(STRICT + instance('  use_vmac vrrp.51 02:00:5e:00:01:33\n  vmac_xmit_base'));
  assert.deepEqual([v.useVmac, v.vmacXmitBase], [{ interface: 'vrrp.51' }, false]);
  assert.deepEqual(warnings, [
    '4: vrrp_instance VI_1: a VMAC address cannot be given in strict mode - clearing',
    '4: vrrp_instance VI_1: strict mode requires vmac_xmit_base to be off - resetting',
  ]);
  const lenient = read(instance('  use_vmac vrrp.51 02:00:5e:00:01:33\n  vmac_xmit_base')).v;
  assert.deepEqual([lenient.useVmac, lenient.vmacXmitBase], [{ interface: 'vrrp.51', mac: '02:00:5e:00:01:33' }, true]);
});

test('strict mode: the first IPv6 VIP must be link-local (keepalived -t refuses, then runs)', () => {
  const v6 = (vips: string): string => `${STRICT}vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 9\n  virtual_ipaddress {\n${vips}  }\n}\n`;
  assert.deepEqual(read(v6('    2001:db8::9/64\n    fe80::9/64\n')).warnings, ['4: vrrp_instance V6: the first IPv6 VIP address must be link local in strict mode']);
  assert.deepEqual(read(v6('    FE80::9/64\n    2001:db8::9/64\n')).warnings, []);
  assert.equal(read(v6('    2001:db8::9/64\n')).v.family, 6);
});

test("strict mode with unicast peers: kept, as keepalived 2.2.7 keeps it (its refusal never fires), and IPv6's link-local rule is multicast's", () => {
  const r = parse(STRICT + instance('  unicast_peer {\n    192.0.2.9\n  }'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(parserWarningsOf(r), []);
  const v = r.config.vrrpInstances[0]!;
  assert.deepEqual([v.strictMode, v.unicastPeers.map((p) => p.address)], [true, ['192.0.2.9']]);
  const v6 = parse(`${STRICT}vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 9\n  unicast_peer {\n    2001:db8::2\n  }\n  virtual_ipaddress {\n    2001:db8::9/64\n  }\n}\n`);
  assert.deepEqual([...errorsOf(v6), ...parserWarningsOf(v6)], []);
});
