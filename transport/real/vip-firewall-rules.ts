/**
 * The VIP firewall as `nft -f` text: the same tables, chains, sets and rules keepalived 2.2.7 builds through
 * libnftnl (vrrp_nftables.c), measured on this host with `nft -j list ruleset` (test/daemon/vip-firewall.test.ts
 * compares them). Per family, made at its first blocked address:
 *
 *   table ip T { set vips { type ipv4_addr }
 *     chain out { type filter hook output priority P; policy accept; ip saddr @vips drop }
 *     chain in  { type filter hook input priority P; policy accept; ip daddr @vips drop } }
 *
 * IPv6 lets neighbour discovery through first (the backup must still resolve the master), and sends link-local
 * destinations to chains of their own, where an address is matched with its interface (by index, or by name
 * with `dont_track_primary`); those sets and rules come with the first link-local address of their kind. A VMAC
 * (use_vmac) adds its own map and rules to the family's output chain, as soon as it exists.
 */
import type { IpFamily } from '../../protocol/ip.js';
import { canonicalIp } from '../../protocol/ip.js';
import { isLinkLocal, type VipFirewallAddress, type VipFirewallSettings, type VipFirewallVmac } from '../vip-firewall.js';

export type LinkLocalKind = 'index' | 'name';

/** Where an address goes: its family, its set, and its element as nft writes it. */
export interface FirewallElement {
  readonly family: IpFamily;
  readonly set: 'vips' | 'vips_link_local' | 'vips_link_local_name';
  readonly text: string;
  /** The link-local set it needs, if any. */
  readonly linkLocal?: LinkLocalKind | undefined;
}

const nftFamily = (family: IpFamily): string => (family === 4 ? 'ip' : 'ip6');

/** nft's quoting of a string (interface names): nft accepts no escapes, and names never hold a quote. */
function quoted(text: string): string {
  if (text.includes('"')) throw new Error(`an interface name cannot hold a quote: ${text}`);
  return `"${text}"`;
}

export function elementOf(a: VipFirewallAddress): FirewallElement {
  const address = canonicalIp(a.address) ?? a.address;
  if (a.family === 4 || !isLinkLocal(address)) return { family: a.family, set: 'vips', text: address };
  const linkLocal: LinkLocalKind = a.byName ? 'name' : 'index';
  // An iface_index element is written with the interface's name too: nft looks the index up as it loads.
  return { family: 6, set: linkLocal === 'name' ? 'vips_link_local_name' : 'vips_link_local', text: `${address} . ${quoted(a.interface)}`, linkLocal };
}

function rule(settings: VipFirewallSettings, family: IpFamily, chain: string, match: string, verdict: string): string {
  return `add rule ${nftFamily(family)} ${settings.table} ${chain} ${match}${settings.counters ? ' counter' : ''} ${verdict}`;
}

function baseChain(settings: VipFirewallSettings, family: IpFamily, name: 'in' | 'out'): string {
  const hook = name === 'in' ? 'input' : 'output';
  return `add chain ${nftFamily(family)} ${settings.table} ${name} { type filter hook ${hook} priority ${settings.priority}; policy accept; }`;
}

/** The table of one family and its output chain: what the addresses and the VMACs both need. */
export function tableSetup(settings: VipFirewallSettings, family: IpFamily): string[] {
  return [`add table ${nftFamily(family)} ${settings.table}`, baseChain(settings, family, 'out')];
}

/** The addresses' part of a family's table (after tableSetup), with its chains, sets and rules, in keepalived's order. */
export function vipsSetup(settings: VipFirewallSettings, family: IpFamily): string[] {
  const f = nftFamily(family);
  const t = settings.table;
  if (family === 4) {
    return [
      baseChain(settings, 4, 'in'),
      `add set ${f} ${t} vips { type ipv4_addr; }`,
      rule(settings, 4, 'in', 'ip daddr @vips', 'drop'),
      rule(settings, 4, 'out', 'ip saddr @vips', 'drop'),
    ];
  }
  return [
    baseChain(settings, 6, 'in'),
    `add chain ${f} ${t} in_link_local`,
    `add chain ${f} ${t} out_link_local`,
    `add set ${f} ${t} vips { type ipv6_addr; }`,
    `add set ${f} ${t} neighbor-discovery { type icmpv6_type; flags constant; elements = { nd-neighbor-solicit, nd-neighbor-advert }; }`,
    rule(settings, 6, 'in', 'icmpv6 type @neighbor-discovery', 'accept'),
    rule(settings, 6, 'in', 'ip6 daddr fe80::/10', 'goto in_link_local'),
    rule(settings, 6, 'out', 'icmpv6 type @neighbor-discovery', 'accept'),
    rule(settings, 6, 'out', 'ip6 saddr fe80::/10', 'goto out_link_local'),
    rule(settings, 6, 'in', 'ip6 daddr @vips', 'drop'),
    rule(settings, 6, 'out', 'ip6 saddr @vips', 'drop'),
  ];
}

/** The link-local set of one kind and the two rules that use it. */
export function linkLocalSetup(settings: VipFirewallSettings, kind: LinkLocalKind): string[] {
  const t = settings.table;
  const [set, type, iif, oif] =
    kind === 'index' ? ['vips_link_local', 'iface_index', 'iif', 'oif'] : ['vips_link_local_name', 'ifname', 'iifname', 'oifname'];
  return [
    `add set ip6 ${t} ${set} { type ipv6_addr . ${type}; }`,
    rule(settings, 6, 'in_link_local', `ip6 daddr . ${iif} @${set}`, 'drop'),
    rule(settings, 6, 'out_link_local', `ip6 saddr . ${oif} @${set}`, 'drop'),
  ];
}

/**
 * use_vmac (keepalived nft_add_vmac): a multicast listener report sent on a VMAC (a macvlan) is sent on its base
 * interface instead, so the switch learns the group where the host really listens; an IPv6 router solicitation
 * from a VMAC is not sent at all.
 */
export function vmacSetup(settings: VipFirewallSettings, family: IpFamily): string[] {
  const t = settings.table;
  if (family === 4) {
    return [
      `add map ip ${t} vmac_map { type iface_index : iface_index; }`,
      rule(settings, 4, 'out', 'ip protocol igmp meta oifkind "macvlan" dup to ip daddr device oif map @vmac_map', 'drop'),
    ];
  }
  return [
    `add map ip6 ${t} vmac_map { type iface_index : iface_index; }`,
    `add set ip6 ${t} vmac_set { type iface_index; }`,
    rule(settings, 6, 'out', 'icmpv6 type mld2-listener-report meta oifkind "macvlan" dup to ip6 daddr device oif map @vmac_map', 'drop'),
    rule(settings, 6, 'out', 'icmpv6 type nd-router-solicit meta oifkind "macvlan" oif @vmac_set', 'drop'),
  ];
}

/** A VMAC's elements: VMAC → base interface in the map (and the VMAC in IPv6's set). */
export function vmacLines(settings: VipFirewallSettings, action: 'add' | 'delete', vmac: VipFirewallVmac): string[] {
  const f = nftFamily(vmac.family);
  const lines = [`${action} element ${f} ${settings.table} vmac_map { ${quoted(vmac.interface)} : ${quoted(vmac.base)} }`];
  if (vmac.family === 6) lines.push(`${action} element ${f} ${settings.table} vmac_set { ${quoted(vmac.interface)} }`);
  return lines;
}

/** `add element` / `delete element` lines, one per set. */
export function elementLines(settings: VipFirewallSettings, action: 'add' | 'delete', elements: readonly FirewallElement[]): string[] {
  const bySet = new Map<string, string[]>();
  for (const e of elements) {
    const key = `${nftFamily(e.family)} ${settings.table} ${e.set}`;
    bySet.set(key, [...(bySet.get(key) ?? []), e.text]);
  }
  return [...bySet].map(([key, texts]) => `${action} element ${key} { ${texts.join(', ')} }`);
}

/**
 * Both families' tables removed, whether they exist or not: adding a table that exists changes nothing, so the
 * delete after it never fails (nft 1.0.6 has no `destroy`).
 */
export function clearLines(settings: VipFirewallSettings): string[] {
  return (['ip', 'ip6'] as const).flatMap((f) => [`add table ${f} ${settings.table}`, `delete table ${f} ${settings.table}`]);
}
