/**
 * Routes and policy rules as rtnetlink takes them (linux/rtnetlink.h, linux/fib_rules.h, linux/lwtunnel.h), as pure
 * functions: what keepalived's virtual_routes / static_routes and virtual_rules / static_rules become once the
 * configuration's names are resolved (config/finalize-routes.ts), and the RTM_NEWROUTE / RTM_DELROUTE /
 * RTM_NEWRULE / RTM_DELRULE requests that put them in the kernel, attribute for attribute as keepalived 2.2.7
 * builds them (vrrp_iproute.c netlink_route, vrrp_iprule.c netlink_rule). Interfaces stay names in the specs: their
 * index belongs to the host and is looked up when a request is made (RTM_GETLINK by name).
 */
import type { IpFamily } from './ip.js';
import { ipToBytes } from './ip-bytes.js';
import { attr, concat, cstring, LITTLE_ENDIAN, NLA_F_NESTED, NLM_F_ACK, NLM_F_REQUEST, NLMSG_HDRLEN, u16, u32, u8 } from './genl.js';

export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;

export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;

export const AF_INET = 2;
export const AF_INET6 = 10;

/** Route types (RTN_*), by the names iproute2 and keepalived give them (`brd` is keepalived's short broadcast). */
export const ROUTE_TYPES: Readonly<Record<string, number>> = {
  unicast: 1,
  local: 2,
  broadcast: 3,
  brd: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
  nat: 10,
  xresolve: 11,
};
export const RTN_UNICAST = 1;

/** RTPROT_KEEPALIVED (Linux 5.8): what keepalived, and so vigil, marks its routes and rules with. */
export const RTPROT_KEEPALIVED = 18;

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_MAIN = 254;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_NOWHERE = 255;
export const RTNH_F_ONLINK = 4;

const RTA_DST = 1;
const RTA_SRC = 2;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_METRICS = 8;
const RTA_MULTIPATH = 9;
const RTA_FLOW = 11;
const RTA_TABLE = 15;
const RTA_PREF = 20;
const RTA_ENCAP_TYPE = 21;
const RTA_ENCAP = 22;
const RTA_EXPIRES = 23;
const RTA_TTL_PROPAGATE = 26;

/** The route metrics (RTAX_*), in the order keepalived puts them in RTA_METRICS. */
export const RTAX: Readonly<Record<MetricName, number>> = {
  congctl: 16,
  rtt: 4,
  rttvar: 5,
  rto_min: 13,
  features: 12,
  mtu: 2,
  window: 3,
  ssthresh: 6,
  cwnd: 7,
  advmss: 8,
  reordering: 9,
  hoplimit: 10,
  initcwnd: 11,
  initrwnd: 14,
  quickack: 15,
  fastopen_no_cookie: 17,
};
const RTAX_LOCK = 1;
export const RTAX_FEATURE_ECN = 1;

export type MetricName =
  | 'congctl'
  | 'rtt'
  | 'rttvar'
  | 'rto_min'
  | 'features'
  | 'mtu'
  | 'window'
  | 'ssthresh'
  | 'cwnd'
  | 'advmss'
  | 'reordering'
  | 'hoplimit'
  | 'initcwnd'
  | 'initrwnd'
  | 'quickack'
  | 'fastopen_no_cookie';

/** Numbers in the kernel's units (rtt in 1/8 ms, rttvar in 1/4 ms, rto_min in ms); congctl is a name. */
export type RouteMetrics = { readonly [K in Exclude<MetricName, 'congctl'>]?: number } & { readonly congctl?: string };

/**
 * A 64-bit unsigned number as decimal digits: specs stay plain JSON (the runtime compares and records them), which
 * a bigint is not.
 */
export type U64 = string;

/** Lightweight tunnel encapsulation (`encap`, RTA_ENCAP), LWTUNNEL_ENCAP_*. */
export type RouteEncap =
  | { readonly kind: 'mpls'; readonly labels: readonly number[] }
  | { readonly kind: 'ip'; readonly id?: U64; readonly dst?: string; readonly src?: string; readonly tos?: number; readonly ttl?: number; readonly flags?: number }
  | { readonly kind: 'ila'; readonly locator: U64 }
  | { readonly kind: 'ip6'; readonly id?: U64; readonly dst?: string; readonly src?: string; readonly tc?: number; readonly hoplimit?: number; readonly flags?: number };

const ENCAP_TYPE: Readonly<Record<RouteEncap['kind'], number>> = { mpls: 1, ip: 2, ila: 3, ip6: 4 };

export interface AddressPrefix {
  readonly address: string;
  readonly prefix: number;
}

/** One path of a multipath route (`nexthop …`, struct rtnexthop). */
export interface NexthopSpec {
  readonly gateway?: string | undefined;
  readonly dev?: string | undefined;
  /** 1 to 256 as written (the kernel stores weight - 1). */
  readonly weight?: number | undefined;
  readonly onlink: boolean;
  readonly realms?: number | undefined;
  readonly encap?: RouteEncap | undefined;
}

export interface RouteSpec {
  readonly family: IpFamily;
  /** RTN_* (unicast unless a type word was given). */
  readonly type: number;
  /** The destination network ('0.0.0.0' or '::' with prefix 0 for default). */
  readonly destination: AddressPrefix;
  /** `from`: the source prefix (RTA_SRC, IPv6 only). */
  readonly from?: AddressPrefix | undefined;
  /** `src`: the preferred source address (RTA_PREFSRC). */
  readonly source?: string | undefined;
  /** `via`. */
  readonly gateway?: string | undefined;
  /** `dev` / `oif`. */
  readonly dev?: string | undefined;
  /** `tos` / `dsfield`. */
  readonly tos: number;
  readonly table: number;
  /** RTPROT_KEEPALIVED unless the route is not tracked and names its own. */
  readonly protocol: number;
  /** Undefined: universe when added, any when deleted (keepalived sends RT_SCOPE_NOWHERE to match any). */
  readonly scope?: number | undefined;
  readonly metric?: number | undefined;
  readonly onlink: boolean;
  readonly realms?: number | undefined;
  /** IPv6: seconds (RTA_EXPIRES). */
  readonly expires?: number | undefined;
  readonly metrics: RouteMetrics;
  /** Locked metrics: a bit per RTAX_* number. */
  readonly lock: number;
  /** IPv6 router preference (RTA_PREF: ICMPV6_ROUTER_PREF_LOW 3, MEDIUM 0, HIGH 1). */
  readonly pref?: number | undefined;
  readonly ttlPropagate?: boolean | undefined;
  readonly encap?: RouteEncap | undefined;
  readonly nexthops: readonly NexthopSpec[];
  /**
   * How an add meets a route with the same key: prepend (keepalived's default, the kernel's without NLM_F_EXCL),
   * add (NLM_F_EXCL, `ip route add`), append (NLM_F_APPEND).
   */
  readonly mode: 'prepend' | 'add' | 'append';
  /** Tracked (no `no_track`): keepalived watches it, and its protocol is RTPROT_KEEPALIVED. */
  readonly tracked: boolean;
}

/** FR_ACT_*: what a matching rule does. */
export const RULE_ACTIONS: Readonly<Record<string, number>> = { lookup: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 };
export const FR_ACT_TO_TBL = 1;
export const FR_ACT_GOTO = 2;
const FIB_RULE_INVERT = 2;

const FRA_DST = 1;
const FRA_SRC = 2;
const FRA_IFNAME = 3;
const FRA_GOTO = 4;
const FRA_PRIORITY = 6;
const FRA_FWMARK = 10;
const FRA_FLOW = 11;
const FRA_TUN_ID = 12;
const FRA_SUPPRESS_IFGROUP = 13;
const FRA_SUPPRESS_PREFIXLEN = 14;
const FRA_TABLE = 15;
const FRA_FWMASK = 16;
const FRA_OIFNAME = 17;
const FRA_L3MDEV = 19;
const FRA_UID_RANGE = 20;
const FRA_PROTOCOL = 21;
const FRA_IP_PROTO = 22;
const FRA_SPORT_RANGE = 23;
const FRA_DPORT_RANGE = 24;

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface RuleSpec {
  readonly family: IpFamily;
  /** FR_ACT_* (lookup, goto, nop, blackhole, unreachable, prohibit). */
  readonly action: number;
  /** The table looked up (action lookup without l3mdev). */
  readonly table: number;
  readonly gotoTarget?: number | undefined;
  /** `not`. */
  readonly invert: boolean;
  readonly from?: AddressPrefix | undefined;
  readonly to?: AddressPrefix | undefined;
  /** `preference` / `priority` / `order`, or the one keepalived assigns. */
  readonly priority: number;
  readonly tos: number;
  readonly fwmark?: number | undefined;
  readonly fwmask?: number | undefined;
  readonly realms?: number | undefined;
  readonly suppressPrefixLength?: number | undefined;
  readonly suppressIfgroup?: number | undefined;
  /** `iif` / `dev`. */
  readonly iif?: string | undefined;
  readonly oif?: string | undefined;
  readonly tunnelId?: U64 | undefined;
  readonly uidRange?: Range | undefined;
  readonly l3mdev: boolean;
  /** RTPROT_KEEPALIVED unless the rule is not tracked and names its own (FRA_PROTOCOL). */
  readonly protocol?: number | undefined;
  readonly ipProto?: number | undefined;
  readonly sport?: Range | undefined;
  readonly dport?: Range | undefined;
  readonly tracked: boolean;
}

/** One rtnetlink request: the message type, its flags beyond REQUEST | ACK, and the payload after nlmsghdr. */
export interface RtnetlinkRequest {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

const TEXT = new TextEncoder();

const familyNumber = (family: IpFamily): number => (family === 4 ? AF_INET : AF_INET6);

function u32Attr(type: number, value: number): Uint8Array {
  return attr(type, u32(value));
}

function be64(value: U64): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(value)), false);
  return out;
}

function addressAttr(type: number, address: string): Uint8Array {
  return attr(type, ipToBytes(address));
}

/** RTA_ENCAP (nested, the encapsulation's own attributes) then RTA_ENCAP_TYPE, as keepalived's add_encap. */
function encapAttrs(encap: RouteEncap): Uint8Array[] {
  const inner: Uint8Array[] = [];
  switch (encap.kind) {
    case 'mpls':
      // MPLS_IPTUNNEL_DST: the label stack, 20-bit labels shifted by 12, bottom of stack on the last.
      inner.push(attr(1, concat(encap.labels.map((label, i) => be32Of(((label << 12) | (i === encap.labels.length - 1 ? 0x100 : 0)) >>> 0)))));
      break;
    case 'ip':
      // LWTUNNEL_IP_ID (be64), DST, SRC, TOS, TTL, FLAGS.
      if (encap.id !== undefined) inner.push(attr(1, be64(encap.id)));
      if (encap.dst !== undefined) inner.push(addressAttr(2, encap.dst));
      if (encap.src !== undefined) inner.push(addressAttr(3, encap.src));
      if (encap.tos !== undefined) inner.push(attr(5, u8(encap.tos)));
      if (encap.ttl !== undefined) inner.push(attr(4, u8(encap.ttl)));
      if (encap.flags !== undefined) inner.push(attr(6, u16(encap.flags)));
      break;
    case 'ila':
      // ILA_ATTR_LOCATOR: the locator's four 16-bit groups in network order.
      inner.push(attr(1, be64(encap.locator)));
      break;
    case 'ip6':
      // LWTUNNEL_IP6_ID, DST, SRC, TC, HOPLIMIT, FLAGS.
      if (encap.id !== undefined) inner.push(attr(1, be64(encap.id)));
      if (encap.dst !== undefined) inner.push(addressAttr(2, encap.dst));
      if (encap.src !== undefined) inner.push(addressAttr(3, encap.src));
      if (encap.tc !== undefined) inner.push(attr(5, u8(encap.tc)));
      if (encap.hoplimit !== undefined) inner.push(attr(4, u8(encap.hoplimit)));
      if (encap.flags !== undefined) inner.push(attr(6, u16(encap.flags)));
      break;
  }
  return [attr(RTA_ENCAP | NLA_F_NESTED, concat(inner)), attr(RTA_ENCAP_TYPE, u16(ENCAP_TYPE[encap.kind]))];
}

function be32Of(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/** struct rtnexthop (len, flags, hops = weight - 1, ifindex) followed by the hop's own attributes. */
function nexthop(hop: NexthopSpec, ifindex: (name: string) => number): Uint8Array {
  const attrs: Uint8Array[] = [];
  if (hop.gateway !== undefined) attrs.push(addressAttr(RTA_GATEWAY, hop.gateway));
  if (hop.realms !== undefined && hop.realms !== 0) attrs.push(u32Attr(RTA_FLOW, hop.realms));
  if (hop.encap !== undefined) attrs.push(...encapAttrs(hop.encap));
  const body = concat(attrs);
  const out = new Uint8Array(8 + body.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, out.length, LITTLE_ENDIAN);
  out[2] = hop.onlink ? RTNH_F_ONLINK : 0;
  out[3] = hop.weight !== undefined ? (hop.weight - 1) & 0xff : 0;
  view.setInt32(4, hop.dev !== undefined ? ifindex(hop.dev) : 0, LITTLE_ENDIAN);
  out.set(body, 8);
  return out;
}

/** RTA_METRICS: keepalived's order, RTAX_LOCK last and only when some metric is given. */
function metricsAttr(route: RouteSpec): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  for (const [name, type] of Object.entries(RTAX) as [MetricName, number][]) {
    const value = route.metrics[name];
    if (value === undefined) continue;
    // RTAX_CC_ALGO is the name without its NUL, as keepalived and iproute2 send it.
    parts.push(typeof value === 'string' ? attr(type, TEXT.encode(value)) : u32Attr(type, value));
  }
  if (parts.length === 0) return undefined;
  if (route.lock !== 0) parts.push(u32Attr(RTAX_LOCK, route.lock));
  return attr(RTA_METRICS, concat(parts));
}

/**
 * RTM_NEWROUTE / RTM_DELROUTE for a route (keepalived's netlink_route). Adding: NLM_F_CREATE, with NLM_F_EXCL for
 * `add` and NLM_F_APPEND for `append` (keepalived's default prepends); scope universe unless given. Deleting: the
 * protocol and, when given, scope, type and the other keys narrow what is deleted, so a route vigil did not add
 * (another protocol) is left alone.
 */
export function routeRequest(op: 'add' | 'delete', route: RouteSpec, ifindex: (name: string) => number): RtnetlinkRequest {
  const header = new Uint8Array(12);
  header[0] = familyNumber(route.family);
  header[1] = route.destination.prefix;
  header[2] = route.from?.prefix ?? 0;
  header[3] = route.tos;
  header[4] = route.table < 256 ? route.table : RT_TABLE_UNSPEC;
  header[5] = route.protocol;
  header[6] = route.scope ?? (op === 'add' ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE);
  header[7] = route.type;
  new DataView(header.buffer).setUint32(8, route.onlink ? RTNH_F_ONLINK : 0, LITTLE_ENDIAN);
  const attrs: Uint8Array[] = [];
  if (route.table >= 256) attrs.push(u32Attr(RTA_TABLE, route.table));
  attrs.push(addressAttr(RTA_DST, route.destination.address));
  if (route.from !== undefined) attrs.push(addressAttr(RTA_SRC, route.from.address));
  if (route.source !== undefined) attrs.push(addressAttr(RTA_PREFSRC, route.source));
  if (route.gateway !== undefined) attrs.push(addressAttr(RTA_GATEWAY, route.gateway));
  if (route.encap !== undefined) attrs.push(...encapAttrs(route.encap));
  if (route.dev !== undefined) attrs.push(u32Attr(RTA_OIF, ifindex(route.dev)));
  if (route.metric !== undefined) attrs.push(u32Attr(RTA_PRIORITY, route.metric));
  if (route.realms !== undefined && route.realms !== 0) attrs.push(u32Attr(RTA_FLOW, route.realms));
  if (route.expires !== undefined) attrs.push(u32Attr(RTA_EXPIRES, route.expires));
  if (route.pref !== undefined) attrs.push(attr(RTA_PREF, u8(route.pref)));
  if (route.ttlPropagate !== undefined) attrs.push(attr(RTA_TTL_PROPAGATE, u8(route.ttlPropagate ? 1 : 0)));
  const metrics = metricsAttr(route);
  if (metrics) attrs.push(metrics);
  if (route.nexthops.length > 0) attrs.push(attr(RTA_MULTIPATH, concat(route.nexthops.map((h) => nexthop(h, ifindex)))));
  const flags = op === 'delete' ? 0 : NLM_F_CREATE | (route.mode === 'add' ? NLM_F_EXCL : route.mode === 'append' ? NLM_F_APPEND : 0);
  return { type: op === 'add' ? RTM_NEWROUTE : RTM_DELROUTE, flags, payload: concat([header, ...attrs]) };
}

function rangeAttr(type: number, range: Range, bytes: 2 | 4): Uint8Array {
  return attr(type, bytes === 2 ? concat([u16(range.start), u16(range.end)]) : concat([u32(range.start), u32(range.end)]));
}

/** RTM_NEWRULE (NLM_F_CREATE | NLM_F_EXCL) / RTM_DELRULE for a rule (keepalived's netlink_rule). */
export function ruleRequest(op: 'add' | 'delete', rule: RuleSpec): RtnetlinkRequest {
  const header = new Uint8Array(12);
  header[0] = familyNumber(rule.family);
  header[1] = rule.to?.prefix ?? 0;
  header[2] = rule.from?.prefix ?? 0;
  header[3] = rule.tos;
  const lookup = rule.action === FR_ACT_TO_TBL && !rule.l3mdev;
  header[4] = lookup && rule.table < 256 ? rule.table || RT_TABLE_MAIN : RT_TABLE_UNSPEC;
  header[7] = rule.action;
  new DataView(header.buffer).setUint32(8, rule.invert ? FIB_RULE_INVERT : 0, LITTLE_ENDIAN);
  const attrs: Uint8Array[] = [];
  if (lookup && rule.table >= 256) attrs.push(u32Attr(FRA_TABLE, rule.table));
  if (rule.from !== undefined) attrs.push(addressAttr(FRA_SRC, rule.from.address));
  if (rule.to !== undefined) attrs.push(addressAttr(FRA_DST, rule.to.address));
  attrs.push(u32Attr(FRA_PRIORITY, rule.priority));
  if (rule.fwmark !== undefined) attrs.push(u32Attr(FRA_FWMARK, rule.fwmark));
  if (rule.fwmask !== undefined) attrs.push(u32Attr(FRA_FWMASK, rule.fwmask));
  if (rule.realms !== undefined && rule.realms !== 0) attrs.push(u32Attr(FRA_FLOW, rule.realms));
  if (rule.suppressPrefixLength !== undefined) attrs.push(u32Attr(FRA_SUPPRESS_PREFIXLEN, rule.suppressPrefixLength));
  if (rule.suppressIfgroup !== undefined) attrs.push(u32Attr(FRA_SUPPRESS_IFGROUP, rule.suppressIfgroup));
  if (rule.iif !== undefined) attrs.push(attr(FRA_IFNAME, cstring(rule.iif)));
  if (rule.oif !== undefined) attrs.push(attr(FRA_OIFNAME, cstring(rule.oif)));
  if (rule.tunnelId !== undefined && BigInt(rule.tunnelId) !== 0n) attrs.push(attr(FRA_TUN_ID, be64(rule.tunnelId)));
  if (rule.uidRange !== undefined) attrs.push(rangeAttr(FRA_UID_RANGE, rule.uidRange, 4));
  if (rule.l3mdev) attrs.push(attr(FRA_L3MDEV, u8(1)));
  if (rule.protocol !== undefined) attrs.push(attr(FRA_PROTOCOL, u8(rule.protocol)));
  if (rule.ipProto !== undefined) attrs.push(attr(FRA_IP_PROTO, u8(rule.ipProto)));
  if (rule.sport !== undefined) attrs.push(rangeAttr(FRA_SPORT_RANGE, rule.sport, 2));
  if (rule.dport !== undefined) attrs.push(rangeAttr(FRA_DPORT_RANGE, rule.dport, 2));
  if (rule.action === FR_ACT_GOTO && rule.gotoTarget !== undefined) attrs.push(u32Attr(FRA_GOTO, rule.gotoTarget));
  return { type: op === 'add' ? RTM_NEWRULE : RTM_DELRULE, flags: op === 'add' ? NLM_F_CREATE | NLM_F_EXCL : 0, payload: concat([header, ...attrs]) };
}

const IFLA_IFNAME = 3;

/** RTM_GETLINK for one interface by name (an empty ifinfomsg and IFLA_IFNAME); the reply is its RTM_NEWLINK. */
export function getLinkRequest(name: string): RtnetlinkRequest {
  return { type: RTM_GETLINK, flags: 0, payload: concat([new Uint8Array(16), attr(IFLA_IFNAME, cstring(name))]) };
}

/** The interface index of an RTM_NEWLINK payload (struct ifinfomsg: family, pad, type, index, …). */
export function linkIndexOf(payload: Uint8Array): number {
  if (payload.length < 16) throw new Error('RTM_NEWLINK payload shorter than struct ifinfomsg');
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getInt32(4, LITTLE_ENDIAN);
}

/** The whole message as it goes on the socket: nlmsghdr (REQUEST | ACK added) and the payload. */
export function rtnetlinkMessage(request: RtnetlinkRequest, seq: number, portId = 0): Uint8Array {
  const out = new Uint8Array(NLMSG_HDRLEN + request.payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, LITTLE_ENDIAN);
  view.setUint16(4, request.type, LITTLE_ENDIAN);
  view.setUint16(6, request.flags | NLM_F_REQUEST | NLM_F_ACK, LITTLE_ENDIAN);
  view.setUint32(8, seq >>> 0, LITTLE_ENDIAN);
  view.setUint32(12, portId >>> 0, LITTLE_ENDIAN);
  out.set(request.payload, NLMSG_HDRLEN);
  return out;
}
