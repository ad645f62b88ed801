/**
 * The VIP firewall's nft text (transport/real/vip-firewall-rules.ts): keepalived 2.2.7's table, chains, sets and
 * rules, with global_defs' table name, priority and counters. (That the kernel ends up holding what keepalived's
 * holds: test/daemon/vip-firewall.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearLines, elementLines, elementOf, linkLocalSetup, tableSetup, vipsSetup, vmacLines, vmacSetup } from '../../transport/real/vip-firewall-rules.js';
import type { VipFirewallSettings } from '../../transport/vip-firewall.js';

const SETTINGS: VipFirewallSettings = { table: 'vigil_vrrp', priority: -1, counters: false };
/** A family's table as the first blocked address makes it. */
const familySetup = (settings: VipFirewallSettings, family: 4 | 6): string[] => [...tableSetup(settings, family), ...vipsSetup(settings, family)];

test('IPv4: one set of addresses, dropped on input as destination and on output as source', () => {
  assert.deepEqual(familySetup(SETTINGS, 4), [
    'add table ip vigil_vrrp',
    'add chain ip vigil_vrrp out { type filter hook output priority -1; policy accept; }',
    'add chain ip vigil_vrrp in { type filter hook input priority -1; policy accept; }',
    'add set ip vigil_vrrp vips { type ipv4_addr; }',
    'add rule ip vigil_vrrp in ip daddr @vips drop',
    'add rule ip vigil_vrrp out ip saddr @vips drop',
  ]);
});

test('IPv6: neighbour discovery passes first, link-local addresses go to chains of their own', () => {
  assert.deepEqual(familySetup(SETTINGS, 6), [
    'add table ip6 vigil_vrrp',
    'add chain ip6 vigil_vrrp out { type filter hook output priority -1; policy accept; }',
    'add chain ip6 vigil_vrrp in { type filter hook input priority -1; policy accept; }',
    'add chain ip6 vigil_vrrp in_link_local',
    'add chain ip6 vigil_vrrp out_link_local',
    'add set ip6 vigil_vrrp vips { type ipv6_addr; }',
    'add set ip6 vigil_vrrp neighbor-discovery { type icmpv6_type; flags constant; elements = { nd-neighbor-solicit, nd-neighbor-advert }; }',
    'add rule ip6 vigil_vrrp in icmpv6 type @neighbor-discovery accept',
    'add rule ip6 vigil_vrrp in ip6 daddr fe80::/10 goto in_link_local',
    'add rule ip6 vigil_vrrp out icmpv6 type @neighbor-discovery accept',
    'add rule ip6 vigil_vrrp out ip6 saddr fe80::/10 goto out_link_local',
    'add rule ip6 vigil_vrrp in ip6 daddr @vips drop',
    'add rule ip6 vigil_vrrp out ip6 saddr @vips drop',
  ]);
});

test('link-local sets: address and interface index, or address and interface name', () => {
  assert.deepEqual(linkLocalSetup(SETTINGS, 'index'), [
    'add set ip6 vigil_vrrp vips_link_local { type ipv6_addr . iface_index; }',
    'add rule ip6 vigil_vrrp in_link_local ip6 daddr . iif @vips_link_local drop',
    'add rule ip6 vigil_vrrp out_link_local ip6 saddr . oif @vips_link_local drop',
  ]);
  assert.deepEqual(linkLocalSetup(SETTINGS, 'name'), [
    'add set ip6 vigil_vrrp vips_link_local_name { type ipv6_addr . ifname; }',
    'add rule ip6 vigil_vrrp in_link_local ip6 daddr . iifname @vips_link_local_name drop',
    'add rule ip6 vigil_vrrp out_link_local ip6 saddr . oifname @vips_link_local_name drop',
  ]);
});

test('global_defs nftables NAME, nftables_priority and nftables_counters reach every table, chain and rule', () => {
  const own: VipFirewallSettings = { table: 'mytab', priority: -5, counters: true };
  assert.deepEqual(familySetup(own, 4).slice(1, 6), [
    'add chain ip mytab out { type filter hook output priority -5; policy accept; }',
    'add chain ip mytab in { type filter hook input priority -5; policy accept; }',
    'add set ip mytab vips { type ipv4_addr; }',
    'add rule ip mytab in ip daddr @vips counter drop',
    'add rule ip mytab out ip saddr @vips counter drop',
  ]);
  const v6 = familySetup(own, 6);
  assert.ok(v6.includes('add rule ip6 mytab in icmpv6 type @neighbor-discovery counter accept'));
  assert.ok(v6.includes('add rule ip6 mytab out ip6 saddr fe80::/10 counter goto out_link_local'));
  assert.ok(linkLocalSetup(own, 'name').includes('add rule ip6 mytab in_link_local ip6 daddr . iifname @vips_link_local_name counter drop'));
  assert.ok([...familySetup(own, 4), ...familySetup(own, 6), ...linkLocalSetup(own, 'index')].every((l) => l.includes(' mytab ') || l.endsWith(' mytab')));
});

test('use_vmac: listener reports on a macvlan are sent on the base interface instead, IPv6 router solicitations dropped', () => {
  assert.deepEqual(tableSetup(SETTINGS, 4), ['add table ip vigil_vrrp', 'add chain ip vigil_vrrp out { type filter hook output priority -1; policy accept; }']);
  assert.deepEqual(vmacSetup(SETTINGS, 4), [
    'add map ip vigil_vrrp vmac_map { type iface_index : iface_index; }',
    'add rule ip vigil_vrrp out ip protocol igmp meta oifkind "macvlan" dup to ip daddr device oif map @vmac_map drop',
  ]);
  assert.deepEqual(vmacSetup({ ...SETTINGS, counters: true }, 6), [
    'add map ip6 vigil_vrrp vmac_map { type iface_index : iface_index; }',
    'add set ip6 vigil_vrrp vmac_set { type iface_index; }',
    'add rule ip6 vigil_vrrp out icmpv6 type mld2-listener-report meta oifkind "macvlan" dup to ip6 daddr device oif map @vmac_map counter drop',
    'add rule ip6 vigil_vrrp out icmpv6 type nd-router-solicit meta oifkind "macvlan" oif @vmac_set counter drop',
  ]);
  assert.deepEqual(vmacLines(SETTINGS, 'add', { interface: 'vrrp.51', base: 'eth0', family: 4 }), ['add element ip vigil_vrrp vmac_map { "vrrp.51" : "eth0" }']);
  assert.deepEqual(vmacLines(SETTINGS, 'delete', { interface: 'vrrp6.51', base: 'eth0', family: 6 }), [
    'delete element ip6 vigil_vrrp vmac_map { "vrrp6.51" : "eth0" }',
    'delete element ip6 vigil_vrrp vmac_set { "vrrp6.51" }',
  ]);
});

test('elements: the set of its kind, canonical addresses, link-local ones with their interface', () => {
  assert.deepEqual(elementOf({ address: '192.168.77.100', family: 4, interface: 'eth0', byName: false }), { family: 4, set: 'vips', text: '192.168.77.100' });
  assert.deepEqual(elementOf({ address: 'FD77:0:0::100', family: 6, interface: 'eth0', byName: true }), { family: 6, set: 'vips', text: 'fd77::100' });
  assert.deepEqual(elementOf({ address: 'fe80::100', family: 6, interface: 'eth0', byName: false }), {
    family: 6,
    set: 'vips_link_local',
    text: 'fe80::100 . "eth0"',
    linkLocal: 'index',
  });
  assert.deepEqual(elementOf({ address: 'febf::1', family: 6, interface: 'vrrp6.51', byName: true }), {
    family: 6,
    set: 'vips_link_local_name',
    text: 'febf::1 . "vrrp6.51"',
    linkLocal: 'name',
  });
  // fec0:: is past fe80::/10: not link-local.
  assert.equal(elementOf({ address: 'fec0::1', family: 6, interface: 'eth0', byName: false }).set, 'vips');
  assert.throws(() => elementOf({ address: 'fe80::1', family: 6, interface: 'a"b', byName: false }), /quote/);
});

test('one add or delete line per set; clearing removes both families whether they exist or not', () => {
  const elements = [
    elementOf({ address: '192.168.77.100', family: 4, interface: 'eth0', byName: false }),
    elementOf({ address: 'fd77::100', family: 6, interface: 'eth0', byName: false }),
    elementOf({ address: '192.168.77.101', family: 4, interface: 'eth0', byName: false }),
    elementOf({ address: 'fe80::100', family: 6, interface: 'eth0', byName: false }),
  ];
  assert.deepEqual(elementLines(SETTINGS, 'add', elements), [
    'add element ip vigil_vrrp vips { 192.168.77.100, 192.168.77.101 }',
    'add element ip6 vigil_vrrp vips { fd77::100 }',
    'add element ip6 vigil_vrrp vips_link_local { fe80::100 . "eth0" }',
  ]);
  assert.deepEqual(elementLines(SETTINGS, 'delete', elements.slice(0, 1)), ['delete element ip vigil_vrrp vips { 192.168.77.100 }']);
  assert.deepEqual(clearLines(SETTINGS), ['add table ip vigil_vrrp', 'delete table ip vigil_vrrp', 'add table ip6 vigil_vrrp', 'delete table ip6 vigil_vrrp']);
});
