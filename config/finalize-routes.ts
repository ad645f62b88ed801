/**
 * Routes and rules made ready for the kernel once, here, so that the runtime gets numbers: every name resolved
 * (tables, protocols, scopes, realms, tos / dsfield, interface groups from iproute2's files; `ipproto` names from
 * /etc/protocols), every value checked and put in the kernel's units, and keepalived's own rules applied
 * (vrrp_iproute.c alloc_route, vrrp_iprule.c alloc_rule):
 * - what keepalived adds is marked with protocol keepalived (RTPROT_KEEPALIVED, 18), routes and rules alike: a
 *   tracked one (no `no_track`) always, whatever `protocol` says; with `no_track` a route's own `protocol` holds.
 * - a route without a `dev` cannot be tracked (a warning, as keepalived's).
 * - rtt, rttvar and rto_min are times (`200ms`, `1.5s`, or a bare number in the kernel's units), held between
 *   200 ms and 120 s.
 * keepalived drops a route or rule it cannot resolve and carries on; so does vigil, with a warning at its line
 * (`vigil config test` makes an unknown name an error: config/host-check-names.ts).
 */
import type { IpFamily } from '../protocol/ip.js';
import {
  FR_ACT_TO_TBL,
  RT_TABLE_MAIN,
  RTAX,
  RTAX_FEATURE_ECN,
  ROUTE_TYPES,
  RTPROT_KEEPALIVED,
  RULE_ACTIONS,
  type MetricName,
  type NexthopSpec,
  type Range,
  type RouteEncap,
  type RouteSpec,
  type RuleSpec,
} from '../protocol/rtnetlink-routes.js';
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { IpProtocolNames } from './ip-protocols.js';
import { unsignedNumber, type Iproute2Names } from './iproute2-names.js';
import type { Config, Route, Rule } from './model.js';

export interface RouteNames {
  readonly iproute2: Iproute2Names;
  readonly ipProtocols: IpProtocolNames;
}

/** A problem that makes keepalived drop the entry. */
class Dropped extends Error {}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const u32 = (text: string | undefined, what: string, max = 0xffffffff): number => {
  const n = text !== undefined && /^\+?[0-9]+$/.test(text) ? Number(text) : undefined;
  if (n === undefined || n > max) throw new Dropped(`invalid ${what} '${text ?? ''}'`);
  return n;
};

/** Whole-word unsigned 64-bit decimal (keepalived's read_unsigned64), as decimal digits. */
const u64 = (text: string | undefined, what: string): string => {
  if (text === undefined || !/^\+?[0-9]+$/.test(text) || BigInt(text) > 0xffffffffffffffffn) throw new Dropped(`invalid ${what} '${text ?? ''}'`);
  return BigInt(text).toString();
};

const RTT_MIN_MS = 200;
const RTT_MAX_MS = 120_000;

/**
 * rtt / rttvar / rto_min (keepalived's get_time_rtt): `Nms`, `Ns` / `Nsec` / `Nsecs` (up to three decimals), or a
 * bare number already in the kernel's units; `unit` is how many kernel units make a millisecond (8, 4, 1).
 */
function rttValue(text: string, unit: number, what: string, warn: (message: string) => void): number {
  const m = /^([0-9]+(?:\.[0-9]*)?)(ms|s|sec|secs)?$/i.exec(text);
  if (!m) throw new Dropped(`invalid ${what} '${text}'`);
  const [, number, suffix] = m;
  const ms = suffix === undefined ? undefined : suffix.toLowerCase() === 'ms' ? Number(number) : Number(number) * 1000;
  if ((suffix === undefined || suffix.toLowerCase() === 'ms') && number!.includes('.')) throw new Dropped(`invalid ${what} '${text}'`);
  let value = ms === undefined ? Number(number) : Math.round(ms * unit);
  if (value > RTT_MAX_MS * unit) {
    warn(`${what} ${text} is above the maximum ${RTT_MAX_MS / 1000}s - set to the maximum, as keepalived does`);
    value = RTT_MAX_MS * unit;
  } else if (value < RTT_MIN_MS * unit) {
    warn(`${what} ${text} is below the minimum ${RTT_MIN_MS}ms - set to the minimum, as keepalived does`);
    value = RTT_MIN_MS * unit;
  }
  return value;
}

function addressPrefix(text: string): { address: string; prefix: number } {
  const [address, prefix] = text.split('/');
  return { address: address!, prefix: Number(prefix ?? (address!.includes(':') ? 128 : 32)) };
}

class Resolver {
  constructor(private readonly names: RouteNames) {}

  name(kind: Parameters<Iproute2Names['resolve']>[0], text: string, what: string): number {
    const n = this.names.iproute2.resolve(kind, text);
    if (n === undefined) throw new Dropped(`${what} '${text}' is not a number or a name in ${this.names.iproute2.sources(kind)}`);
    return n;
  }

  /** `realms [FROM/]TO`: FROM in the high 16 bits (keepalived's get_realms). */
  realms(text: string): number {
    const parts = text.split('/');
    if (parts.length > 2) throw new Dropped(`invalid realms '${text}'`);
    const ids = parts.map((p) => this.name('realm', p, 'realm'));
    return ids.length === 2 ? ((ids[0]! << 16) | ids[1]!) >>> 0 : ids[0]!;
  }

  /** `encap mpls LABEL[/LABEL…]`, `encap ip|ip6 [id N] [dst A] [src A] [tos|tc T] [ttl|hoplimit N] [flags N]`, `encap ila LOCATOR`. */
  encap(text: string): RouteEncap {
    const [type, ...rest] = text.split(' ');
    if (type === 'mpls') {
      const labels = (rest[0] ?? '').split('/').map((l) => unsignedNumber(l));
      if (rest.length !== 1 || labels.some((l) => l === undefined || l > 0xfffff) || labels.length > 16) throw new Dropped(`invalid mpls address '${rest[0] ?? ''}' for encapsulation`);
      return { kind: 'mpls', labels: labels as number[] };
    }
    if (type === 'ila') {
      const groups = (rest[0] ?? '').split(':');
      if (rest.length !== 1 || groups.length !== 4 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) throw new Dropped(`invalid locator '${rest[0] ?? ''}' for ila encapsulation`);
      return { kind: 'ila', locator: groups.reduce((v, g) => (v << 16n) | BigInt(parseInt(g, 16)), 0n).toString() };
    }
    if (type !== 'ip' && type !== 'ip6') throw new Dropped(`unknown encap type '${type ?? ''}'`);
    const family: IpFamily = type === 'ip' ? 4 : 6;
    const e: { id?: string; dst?: string; src?: string; dsfield?: number; hops?: number; flags?: number } = {};
    for (let i = 0; i + 1 < rest.length; i += 2) {
      const [k, v] = [rest[i]!, rest[i + 1]!];
      if (k === 'id') e.id = u64(v, 'encap id');
      else if (k === 'dst' || k === 'src') {
        const a = addressPrefix(v);
        if (v.includes('/') || (a.address.includes(':') ? 6 : 4) !== family) throw new Dropped(`address ${v} is not valid for ${type} encapsulation`);
        e[k] = a.address;
      } else if (k === 'tos' || k === 'tc') e.dsfield = this.name('dsfield', v, `encap ${k}`);
      else if (k === 'ttl' || k === 'hoplimit') e.hops = u32(v, `encap ${k}`, 255);
      else if (k === 'flags') e.flags = u32(v, 'encap flags', 0xffff);
    }
    if (e.dst === undefined && e.id === undefined) throw new Dropped(`address or id missing for ${type} encapsulation`);
    const common = { ...(e.id !== undefined ? { id: e.id } : {}), ...(e.dst !== undefined ? { dst: e.dst } : {}), ...(e.src !== undefined ? { src: e.src } : {}), ...(e.flags !== undefined ? { flags: e.flags } : {}) };
    return type === 'ip'
      ? { kind: 'ip', ...common, ...(e.dsfield !== undefined ? { tos: e.dsfield } : {}), ...(e.hops !== undefined ? { ttl: e.hops } : {}) }
      : { kind: 'ip6', ...common, ...(e.dsfield !== undefined ? { tc: e.dsfield } : {}), ...(e.hops !== undefined ? { hoplimit: e.hops } : {}) };
  }

  route(r: Route, warn: (message: string) => void): RouteSpec {
    const spec: Mutable<RouteSpec> = {
      family: r.family,
      type: ROUTE_TYPES[r.type] ?? ROUTE_TYPES['unicast']!,
      destination: { address: r.destination, prefix: r.prefix },
      tos: 0,
      table: r.table !== undefined ? this.name('table', r.table, 'routing table') : RT_TABLE_MAIN,
      protocol: RTPROT_KEEPALIVED,
      onlink: false,
      metrics: {},
      lock: 0,
      nexthops: [],
      mode: 'prepend',
      tracked: !r.noTrack,
    };
    if (r.src !== undefined) spec.source = r.src;
    if (r.via !== undefined) spec.gateway = r.via;
    if (r.dev !== undefined) spec.dev = r.dev;
    if (r.metric !== undefined) spec.metric = r.metric;
    if (r.scope !== undefined) spec.scope = this.name('scope', r.scope, 'scope');
    const protocol = r.protocol !== undefined ? this.name('protocol', r.protocol, 'protocol') : undefined;
    const metrics: Mutable<RouteSpec['metrics']> = {};
    for (const [key, value] of r.options) {
      const locked = value.startsWith('lock ');
      const v = locked ? value.slice(5) : value;
      if (locked) spec.lock |= 1 << RTAX[key as MetricName];
      switch (key) {
        case 'from':
          spec.from = addressPrefix(v);
          break;
        case 'tos':
        case 'dsfield':
          spec.tos = this.name('dsfield', v, 'tos');
          break;
        case 'onlink':
          spec.onlink = true;
          break;
        case 'add':
        case 'prepend':
        case 'append':
          spec.mode = key;
          break;
        case 'encap':
          spec.encap = this.encap(v);
          break;
        case 'expires':
          spec.expires = u32(v, 'expires');
          break;
        case 'realms':
          spec.realms = this.realms(v);
          break;
        case 'hoplimit':
          metrics.hoplimit = u32(v, 'hoplimit', 255);
          break;
        case 'mtu':
        case 'advmss':
        case 'reordering':
        case 'cwnd':
        case 'ssthresh':
        case 'window':
        case 'initcwnd':
        case 'initrwnd':
          metrics[key] = u32(v, key);
          break;
        case 'quickack':
        case 'fastopen_no_cookie':
          metrics[key] = u32(v, key, 1);
          break;
        case 'rtt':
          metrics.rtt = rttValue(v, 8, key, warn);
          break;
        case 'rttvar':
          metrics.rttvar = rttValue(v, 4, key, warn);
          break;
        case 'rto_min':
          metrics.rto_min = rttValue(v, 1, key, warn);
          break;
        case 'features':
          // keepalived knows ecn only, and goes on without any other.
          if (v === 'ecn') metrics.features = (metrics.features ?? 0) | RTAX_FEATURE_ECN;
          else warn(`feature '${v}' is not supported - ignoring`);
          break;
        case 'congctl':
          metrics.congctl = v;
          break;
        case 'pref': {
          const named: Readonly<Record<string, number>> = { low: 3, medium: 0, high: 1 };
          spec.pref = named[v] ?? u32(v, 'pref', 255);
          break;
        }
        case 'ttl-propagate':
          // keepalived sets it either way; a word other than enabled / disabled is reported and means disabled.
          if (v !== 'enabled' && v !== 'disabled') warn(`ttl-propagate value '${v}' is not enabled or disabled - disabled`);
          spec.ttlPropagate = v === 'enabled';
          break;
        // vrf: listed in config/not-implemented.ts (the route goes to its `table`).
      }
    }
    spec.metrics = metrics;
    spec.nexthops = r.nexthops.map(
      (h): NexthopSpec => ({
        onlink: h.onlink,
        ...(h.via !== undefined ? { gateway: h.via } : {}),
        ...(h.dev !== undefined ? { dev: h.dev } : {}),
        ...(h.weight !== undefined ? { weight: h.weight } : {}),
        ...(h.realms !== undefined ? { realms: this.realms(h.realms) } : {}),
        ...(h.encap !== undefined ? { encap: this.encap(h.encap) } : {}),
      }),
    );
    if (spec.tracked) {
      if (protocol !== undefined && protocol !== RTPROT_KEEPALIVED) warn(`a tracked route's protocol is keepalived (${RTPROT_KEEPALIVED}) - protocol ${r.protocol} ignored (no_track keeps it)`);
      if (spec.dev === undefined) {
        warn('cannot be tracked with no interface (dev) given - not tracking, as keepalived');
        spec.tracked = false;
      }
    } else if (protocol !== undefined) spec.protocol = protocol;
    return spec;
  }

  rule(r: Rule, warn: (message: string) => void): RuleSpec {
    const action = r.action ?? 'lookup';
    const spec: Mutable<RuleSpec> = {
      family: r.family,
      action: RULE_ACTIONS[action]!,
      table: 0,
      invert: r.invert,
      priority: r.preference ?? 0,
      tos: 0,
      l3mdev: false,
      tracked: !r.noTrack,
    };
    if (r.table !== undefined) {
      spec.table = this.name('table', r.table, 'routing table');
      if (spec.table === 0) throw new Dropped('table 0 is not valid');
    }
    if (r.gotoTarget !== undefined) spec.gotoTarget = r.gotoTarget;
    if (r.from !== undefined && r.from !== 'all') spec.from = addressPrefix(r.from);
    if (r.to !== undefined && r.to !== 'all') spec.to = addressPrefix(r.to);
    if (r.iif !== undefined) spec.iif = r.iif;
    if (r.oif !== undefined) spec.oif = r.oif;
    if (r.fwmark !== undefined) {
      const [mark, mask] = r.fwmark.split('/');
      spec.fwmark = unsignedNumber(mark!)!;
      if (mask !== undefined) spec.fwmask = unsignedNumber(mask)!;
    }
    /** START-END (keepalived's sscanf "%u-%u"). */
    const range = (text: string, bits: 16 | 32): Range | undefined => {
      const m = /^([0-9]+)-([0-9]+)$/.exec(text);
      const max = bits === 16 ? 0xffff : 0xffffffff;
      if (!m || Number(m[1]) > max || Number(m[2]) > max) return undefined;
      return { start: Number(m[1]), end: Number(m[2]) };
    };
    let protocol: number | undefined;
    for (const [key, v] of r.options) {
      switch (key) {
        case 'tos':
        case 'dsfield':
          spec.tos = this.name('dsfield', v, 'tos');
          break;
        case 'realms':
          spec.realms = this.realms(v);
          break;
        case 'suppress_prefixlength':
        case 'sup_pl':
          spec.suppressPrefixLength = u32(v, 'suppress_prefixlength', 0x7fffffff);
          break;
        case 'suppress_ifgroup':
        case 'sup_group':
          spec.suppressIfgroup = this.name('group', v, 'interface group');
          break;
        case 'tunnel-id':
          spec.tunnelId = u64(v, 'tunnel-id');
          break;
        case 'uidrange': {
          const u = range(v, 32);
          if (!u) throw new Dropped(`invalid uidrange '${v}'`);
          spec.uidRange = u;
          break;
        }
        case 'l3mdev':
          spec.l3mdev = true;
          break;
        case 'protocol':
          // keepalived reports a bad protocol and keeps the rule without one.
          if (/^\+?[0-9]+$/.test(v) && Number(v) <= 255) protocol = Number(v);
          else warn(`invalid protocol '${v}' - ignoring`);
          break;
        case 'ipproto': {
          const n = this.names.ipProtocols.resolve(v);
          if (n === undefined) warn(`invalid ipproto '${v}' - ignoring`);
          else spec.ipProto = n;
          break;
        }
        case 'sport':
        case 'dport': {
          // keepalived 2.2.7 takes a range START-END only: a single port is reported and the rule kept without it.
          const p = range(v, 16);
          if (!p) warn(`invalid ${key} range '${v}' - ignoring`);
          else spec[key] = p;
          break;
        }
      }
    }
    if (spec.tracked) {
      if (protocol !== undefined && protocol !== RTPROT_KEEPALIVED) warn(`a tracked rule's protocol is keepalived (${RTPROT_KEEPALIVED}) - protocol ${protocol} ignored (no_track keeps it)`);
      spec.protocol = RTPROT_KEEPALIVED;
    } else if (protocol !== undefined) spec.protocol = protocol;
    if (spec.action !== FR_ACT_TO_TBL) spec.table = 0;
    return spec;
  }
}

/**
 * Each route and rule of the configuration with its kernel form (`kernel`). One keepalived would drop keeps no
 * kernel form (the runtime leaves it out) and is warned about at its line; it stays in the configuration for the
 * host checks, which name the problem (config/host-check-names.ts), and for `config dump`.
 */
export function finishRoutes(config: Config, names: RouteNames, d: Diagnostics): Config {
  const resolver = new Resolver(names);
  const top: SourcePosition = { file: '', line: 0 };
  const each = <T extends Route | Rule>(list: readonly T[], owner: string, at: SourcePosition, kind: 'route' | 'rule', resolve: (entry: T, warn: (m: string) => void) => T['kernel']): T[] => {
    const out: T[] = [];
    for (const entry of list) {
      const where = entry.at ?? at;
      const what = kind === 'route' ? `${owner} ${(entry as Route).destination}/${(entry as Route).prefix}` : owner;
      const warn = (message: string): void => d.warning(where, `${what}: ${message}`);
      try {
        out.push({ ...entry, kernel: resolve(entry, warn) });
      } catch (error) {
        if (!(error instanceof Dropped)) throw error;
        warn(`${error.message} - skipping ${kind}`);
        out.push(entry);
      }
    }
    return out;
  };
  const routes = (list: readonly Route[], owner: string, at: SourcePosition): Route[] => each(list, owner, at, 'route', (r, warn) => resolver.route(r, warn));
  const rules = (list: readonly Rule[], owner: string, at: SourcePosition): Rule[] => each(list, owner, at, 'rule', (r, warn) => resolver.rule(r, warn));
  return {
    ...config,
    staticRoutes: routes(config.staticRoutes, 'static_routes', top),
    staticRules: rules(config.staticRules, 'static_rules', top),
    vrrpInstances: config.vrrpInstances.map((v) => ({
      ...v,
      virtualRoutes: routes(v.virtualRoutes, `vrrp_instance ${v.name}: virtual_routes`, v.at),
      virtualRules: rules(v.virtualRules, `vrrp_instance ${v.name}: virtual_rules`, v.at),
    })),
  };
}
