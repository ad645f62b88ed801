/**
 * global_defs' VIP firewall keywords read into the firewall's settings (actors/vrrp/specs-from-config.ts):
 * `nftables [NAME]`, `nftables_priority`, `nftables_counters`; `vrrp_iptables` and `vrrp_ipsets` are nftables
 * here, with a warning at their line (keepalived 2.2.7 built without iptables fails `-t` on both too). None of
 * the firewall's keywords is "not implemented" any more.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { vipFirewallSettings } from '../../actors/vrrp/specs-from-config.js';
import { instance, MAIN, parse, warningsOf } from './helpers.js';

const settingsOf = (globals: string) => vipFirewallSettings(parse(`global_defs {\n${globals}}\n` + instance('  no_accept')).config.globalDefs);

test("without keywords: vigil's own table, keepalived's priority -1, no counters", () => {
  assert.deepEqual(settingsOf(''), { table: 'vigil_vrrp', priority: -1, counters: false });
  assert.deepEqual(settingsOf('  nftables\n'), { table: 'vigil_vrrp', priority: -1, counters: false });
});

test('nftables NAME, nftables_priority and nftables_counters', () => {
  assert.deepEqual(settingsOf('  nftables keepalived\n  nftables_priority -150\n  nftables_counters\n'), { table: 'keepalived', priority: -150, counters: true });
});

test('vrrp_iptables and vrrp_ipsets: the same nftables table, and a warning at their line', () => {
  const r = parse('global_defs {\n  vrrp_iptables INPUT OUTPUT\n  vrrp_ipsets keepalived\n}\n' + instance('  no_accept'));
  assert.deepEqual(vipFirewallSettings(r.config.globalDefs), { table: 'vigil_vrrp', priority: -1, counters: false });
  assert.deepEqual(warningsOf(r), [
    `${MAIN}:2: vrrp_iptables: iptables is not used - the VIP firewall is an nftables table; use 'nftables'`,
    `${MAIN}:3: vrrp_ipsets: ipsets are not used - the VIP firewall is an nftables table; use 'nftables'`,
  ]);
});

test('no_accept, accept, strict_mode, vrrp_strict and the nftables keywords are not warned about', () => {
  const r = parse(
    'global_defs {\n  vrrp_strict\n  nftables vipfw\n  nftables_priority -5\n  nftables_ifindex\n  nftables_counters\n}\n' +
      instance('  no_accept\n  strict_mode', 'A', 1) +
      instance('  accept\n  strict_mode off\n  version 3', 'B', 2),
  );
  assert.deepEqual(warningsOf(r), []);
});
