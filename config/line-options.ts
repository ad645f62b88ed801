/**
 * The options of an address, route or rule line (virtual_ipaddress, virtual_routes, virtual_rules and their
 * static_ forms) in the order keepalived.conf writes them, for the two writers of the resolved configuration:
 * config/render.ts (text) and config/dump.ts (JSON). Each option is `keyword value`, or the bare keyword when its
 * value is true; an undefined or false value is left out.
 */
import type { IpAddress, Route, Rule } from './model.js';

export type LineOption = readonly [keyword: string, value: string | number | boolean | undefined];

/** `ip address add` options after ADDRESS/PREFIX (keepalived's virtual_ipaddress). */
export function ipAddressOptions(a: IpAddress): LineOption[] {
  return [
    ['dev', a.dev],
    ['scope', a.scope],
    ['label', a.label],
    ['brd', a.broadcast],
    ['peer', a.peer],
    ['home', a.home],
    ['-nodad', a.nodad],
    ['mngtmpaddr', a.mngtmpaddr],
    ['noprefixroute', a.noprefixroute],
    ['autojoin', a.autojoin],
    ['no_track', a.noTrack],
    ['preferred_lft', a.preferredLft],
    ['use_vmac', a.useVmac],
    ['track_group', a.trackGroup],
  ];
}

/** `ip route add` options after TYPE and DESTINATION/PREFIX, before any nexthop. */
export function routeOptions(r: Route): LineOption[] {
  return [
    ['src', r.src],
    ['via', r.via],
    ['dev', r.dev],
    ['table', r.table],
    ['scope', r.scope],
    ['metric', r.metric],
    ['protocol', r.protocol],
  ];
}

/** `ip rule add` selectors, before the action. */
export function ruleSelectors(r: Rule): LineOption[] {
  return [
    ['not', r.invert],
    ['from', r.from],
    ['to', r.to],
    ['table', r.table],
    ['preference', r.preference],
    ['iif', r.iif],
    ['oif', r.oif],
    ['fwmark', r.fwmark],
  ];
}

/** keepalived's own route and rule options, after the ip ones: no_track, track_group. */
export function trackingOptions(r: Route | Rule): LineOption[] {
  return [
    ['no_track', r.noTrack],
    ['track_group', r.trackGroup],
  ];
}
