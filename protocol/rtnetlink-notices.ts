/**
 * Route and rule notifications of rtnetlink (RTM_DELROUTE on RTNLGRP_IPV4_ROUTE / RTNLGRP_IPV6_ROUTE, RTM_DELRULE
 * on RTNLGRP_IPV4_RULE / RTNLGRP_IPV6_RULE) read as pure functions, and whether one is about a route or rule vigil
 * put in the kernel: keepalived's test (keepalived_netlink.c route_is_ours, compare_rule), by which it notices
 * that a tracked route or rule was deleted by someone else.
 */
import type { IpFamily } from './ip.js';
import { bytesToIp } from './ip-bytes.js';
import { attributeMap, LITTLE_ENDIAN, readCString, readU32 } from './genl.js';
import { AF_INET, AF_INET6, type AddressPrefix, type RouteSpec, type RuleSpec } from './rtnetlink-routes.js';

export const RTNLGRP_IPV4_ROUTE = 7;
export const RTNLGRP_IPV4_RULE = 8;
export const RTNLGRP_IPV6_ROUTE = 11;
export const RTNLGRP_IPV6_RULE = 19;

/** What identifies a route in the kernel (the key of keepalived's comparison). */
export interface RouteNotice {
  readonly family: IpFamily;
  readonly type: number;
  readonly table: number;
  readonly protocol: number;
  readonly destination: AddressPrefix;
  readonly tos: number;
  /** RTA_PRIORITY, when the kernel gave one. */
  readonly metric?: number | undefined;
  /** The output interface's name, when its index is known (RTA_OIF). */
  readonly dev?: string | undefined;
}

export interface RuleNotice {
  readonly family: IpFamily;
  readonly action: number;
  readonly table: number;
  readonly priority?: number | undefined;
  readonly protocol?: number | undefined;
  readonly invert: boolean;
  readonly from?: AddressPrefix | undefined;
  readonly to?: AddressPrefix | undefined;
  readonly tos: number;
  readonly fwmark?: number | undefined;
  readonly fwmask?: number | undefined;
  readonly iif?: string | undefined;
  readonly oif?: string | undefined;
}

const familyOf = (n: number | undefined): IpFamily | undefined => (n === AF_INET ? 4 : n === AF_INET6 ? 6 : undefined);

/** An RTM_NEWROUTE / RTM_DELROUTE payload (struct rtmsg and attributes); undefined for other families. */
export function parseRouteNotice(payload: Uint8Array, nameOf: (index: number) => string | undefined): RouteNotice | undefined {
  const family = familyOf(payload[0]);
  if (family === undefined || payload.length < 12) return undefined;
  const attrs = attributeMap(payload.subarray(12));
  const dst = attrs.get(1);
  const table = attrs.get(15);
  const priority = attrs.get(6);
  const oif = attrs.get(4);
  return {
    family,
    type: payload[7]!,
    table: table ? readU32(table) : payload[4]!,
    protocol: payload[5]!,
    destination: { address: dst ? bytesToIp(dst) : family === 4 ? '0.0.0.0' : '::', prefix: payload[1]! },
    tos: payload[3]!,
    ...(priority ? { metric: readU32(priority) } : {}),
    ...(oif ? { dev: nameOf(readU32(oif)) } : {}),
  };
}

/** An RTM_NEWRULE / RTM_DELRULE payload (struct fib_rule_hdr and attributes); undefined for other families. */
export function parseRuleNotice(payload: Uint8Array): RuleNotice | undefined {
  const family = familyOf(payload[0]);
  if (family === undefined || payload.length < 12) return undefined;
  const attrs = attributeMap(payload.subarray(12));
  const u32 = (type: number): number | undefined => {
    const v = attrs.get(type);
    return v ? readU32(v) : undefined;
  };
  const prefix = (type: number, length: number): AddressPrefix | undefined => {
    const v = attrs.get(type);
    return v ? { address: bytesToIp(v), prefix: length } : undefined;
  };
  const flags = new DataView(payload.buffer, payload.byteOffset + 8, 4).getUint32(0, LITTLE_ENDIAN);
  const iif = attrs.get(3);
  const oif = attrs.get(17);
  const protocol = attrs.get(21);
  return {
    family,
    action: payload[7]!,
    table: u32(15) ?? payload[4]!,
    priority: u32(6),
    protocol: protocol ? protocol[0] : undefined,
    invert: (flags & 2) !== 0,
    from: prefix(2, payload[2]!),
    to: prefix(1, payload[1]!),
    tos: payload[3]!,
    fwmark: u32(10),
    fwmask: u32(16),
    iif: iif ? readCString(iif) : undefined,
    oif: oif ? readCString(oif) : undefined,
  };
}

const samePrefix = (a: AddressPrefix | undefined, b: AddressPrefix | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.prefix === b.prefix && a.address === b.address;

/**
 * Whether the notice is about this route: same family, table, destination, tos, metric and (when the route names
 * one) interface, and our protocol. A route given no metric: IPv4 has none in the kernel, IPv6 gets 1024.
 */
export function isRouteOf(spec: RouteSpec, notice: RouteNotice): boolean {
  const metric = spec.metric !== undefined && spec.metric !== 0 ? spec.metric : spec.family === 6 ? 1024 : 0;
  return (
    notice.family === spec.family &&
    notice.protocol === spec.protocol &&
    notice.table === spec.table &&
    samePrefix(notice.destination, spec.destination) &&
    notice.tos === spec.tos &&
    (notice.metric ?? 0) === metric &&
    (spec.dev === undefined || notice.dev === spec.dev)
  );
}

/** Whether the notice is about this rule: its priority, action, table, matches and our protocol. */
export function isRuleOf(spec: RuleSpec, notice: RuleNotice): boolean {
  const table = spec.action === 1 && !spec.l3mdev ? spec.table : 0;
  return (
    notice.family === spec.family &&
    (notice.priority ?? 0) === spec.priority &&
    notice.action === spec.action &&
    notice.table === table &&
    notice.protocol === spec.protocol &&
    notice.invert === spec.invert &&
    samePrefix(notice.from, spec.from) &&
    samePrefix(notice.to, spec.to) &&
    notice.tos === spec.tos &&
    (notice.fwmark ?? 0) === (spec.fwmark ?? 0) &&
    (spec.fwmask === undefined || notice.fwmask === spec.fwmask) &&
    notice.iif === spec.iif &&
    notice.oif === spec.oif
  );
}
