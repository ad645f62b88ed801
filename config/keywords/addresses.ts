/**
 * One line of virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress (`ip address add` options),
 * virtual_routes / static_routes (`ip route add`), virtual_rules / static_rules (`ip rule add`).
 * A bad address is an error for addresses; for routes and rules keepalived drops the entry and carries on, and
 * so a bad one is a warning here.
 */
import { parseIpv4, formatIpv4 } from '../../protocol/ip.js';
import type { IpFamily } from '../../protocol/ip.js';
import { Diagnostics, positionOf } from '../diagnostics.js';
import type { IpAddress, Nexthop, Route, Rule } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { address, integerText, parseUnsigned, prefixed } from '../values.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SCOPES = new Set(['global', 'site', 'link', 'host', 'nowhere', 'universe']);

function validScope(s: string): boolean {
  return SCOPES.has(s) || (parseUnsigned(s) !== undefined && Number(s) <= 255);
}

/** `brd +` / `brd -`: the address with the host bits set / cleared. */
function broadcastOf(addressText: string, prefix: number, set: boolean): string {
  const bytes = parseIpv4(addressText)!;
  const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const hostMask = prefix === 0 ? 0xffffffff : (0xffffffff >>> prefix) >>> 0;
  const result = (set ? value | hostMask : value & ~hostMask) >>> 0;
  return formatIpv4(Uint8Array.of(result >>> 24, (result >>> 16) & 255, (result >>> 8) & 255, result & 255));
}

/** Parses an address line; undefined (with an error) when the address cannot be used. */
export function parseIpAddressLine(line: ConfigLine, keyword: string, d: Diagnostics, isStatic: boolean): IpAddress | undefined {
  const w = line.words;
  const p = prefixed(w[0], line, d, keyword);
  if (!p) return undefined;
  const a: Mutable<IpAddress> = {
    address: p.address,
    prefix: p.prefix,
    family: p.family,
    home: false,
    nodad: false,
    mngtmpaddr: false,
    noprefixroute: false,
    autojoin: false,
    noTrack: false,
    useVmac: false,
  };
  let broadcastSign: '+' | '-' | undefined;
  for (let i = 1; i < w.length; i++) {
    const opt = w[i]!;
    const needsValue = ['dev', 'scope', 'broadcast', 'brd', 'label', 'peer', 'preferred_lft', ...(isStatic ? ['track_group'] : [])];
    if (needsValue.includes(opt) && w[i + 1] === undefined) {
      d.error(line, `${keyword}: no ${opt} value for ${w[0]}`);
      return undefined;
    }
    switch (opt) {
      case 'dev':
        if (a.dev !== undefined) {
          d.error(line, `${keyword}: device given more than once for ${w[0]}`);
          return undefined;
        }
        a.dev = w[++i];
        break;
      case 'scope': {
        const s = w[++i]!;
        if (validScope(s)) a.scope = s;
        else d.warning(line, `${keyword}: invalid scope '${s}' for ${w[0]} - ignoring`);
        break;
      }
      case 'broadcast':
      case 'brd': {
        const b = w[++i]!;
        if (a.family === 6) {
          d.error(line, `${keyword}: broadcast given for IPv6 address ${w[0]}`);
          return undefined;
        }
        if (b === '+' || b === '-') broadcastSign = b;
        else {
          const ba = address(b, line, d, `${keyword} broadcast`);
          if (!ba || ba.family !== 4) return undefined;
          a.broadcast = ba.address;
        }
        break;
      }
      case 'label': {
        const l = w[++i]!;
        if (l.length >= 16) {
          d.error(line, `${keyword}: label '${l}' is longer than 15 characters`);
          return undefined;
        }
        a.label = l;
        break;
      }
      case 'peer': {
        const pa = prefixed(w[++i], line, d, `${keyword} peer`);
        if (pa && pa.family === a.family) {
          a.peer = pa.address;
          if (pa.prefixGiven) a.prefix = pa.prefix;
        } else if (pa) d.warning(line, `${keyword}: peer ${pa.address} does not match the address family - ignoring`);
        break;
      }
      case 'home':
        a.home = true;
        break;
      case '-nodad':
        a.nodad = true;
        break;
      case 'mngtmpaddr':
        a.mngtmpaddr = true;
        break;
      case 'noprefixroute':
        a.noprefixroute = true;
        break;
      case 'autojoin':
        a.autojoin = true;
        break;
      case 'no_track':
        a.noTrack = true;
        break;
      case 'preferred_lft': {
        const v = w[++i]!;
        if (v === 'forever') a.preferredLft = 'forever';
        else {
          const n = integerText(v, line, 0, 4294967295, d, `${keyword} preferred_lft`);
          if (n !== undefined) a.preferredLft = n;
        }
        break;
      }
      case 'use_vmac':
        if (isStatic) d.warning(line, `${keyword}: unknown option 'use_vmac' - ignoring`);
        else a.useVmac = true;
        break;
      case 'track_group':
        if (isStatic) a.trackGroup = w[++i];
        else d.warning(line, `${keyword}: unknown option 'track_group' - ignoring`);
        break;
      default:
        d.warning(line, `${keyword}: unknown option '${opt}' for ${w[0]} - ignoring`);
    }
  }
  if (broadcastSign !== undefined) {
    if (a.prefix <= 30) a.broadcast = broadcastOf(a.peer ?? a.address, a.prefix, broadcastSign === '+');
    else d.warning(line, `${keyword}: prefix /${a.prefix} too long for a broadcast address - ignoring`);
  }
  if (a.family === 6) {
    if (a.scope !== undefined) {
      d.warning(line, `${keyword}: a scope cannot be given for IPv6 address ${w[0]} - ignoring`);
      a.scope = undefined;
    }
    if (a.label !== undefined) {
      d.warning(line, `${keyword}: a label cannot be given for IPv6 address ${w[0]} - ignoring`);
      a.label = undefined;
    }
  }
  a.at = positionOf(line);
  return a;
}

const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'anycast', 'multicast', 'nat']);
/** `ip route` options that take no value. */
const ROUTE_FLAGS = new Set(['onlink', 'append', 'inet6', 'pervasive', 'lock', 'ttl-propagate']);

/** A route destination or gateway, family checked against the route's. */
function routeAddress(text: string | undefined, line: ConfigLine, d: Diagnostics, what: string): { address: string; prefix: number; family: IpFamily } | undefined {
  if (text === undefined) {
    d.warning(line, `route: missing ${what} - skipping route`);
    return undefined;
  }
  // The reason goes into one warning below, so the reader's own error is discarded.
  const p = text === 'default' ? { address: '0.0.0.0', prefix: 0, family: 4 as IpFamily } : prefixed(text, line, new Diagnostics(), 'route');
  if (!p) {
    d.warning(line, `route: invalid ${what} '${text}' - skipping route`);
    return undefined;
  }
  return p;
}

export function parseRouteLine(line: ConfigLine, d: Diagnostics, isStatic: boolean): Route | undefined {
  const w = line.words;
  const r: Mutable<Route> = { family: 4, type: 'unicast', destination: '', prefix: 0, nexthops: [], noTrack: false, options: [] };
  const options: [string, string][] = [];
  const nexthops: Mutable<Nexthop>[] = [];
  let destinationSeen = false;
  let forceInet6 = false;
  for (let i = 0; i < w.length; i++) {
    const opt = w[i]!;
    const value = w[i + 1];
    switch (opt) {
      case 'src': {
        const a = routeAddress(value, line, d, 'source');
        if (!a) return undefined;
        r.src = a.address;
        i++;
        break;
      }
      case 'to':
        break;
      case 'via':
      case 'gw':
      case 'or': {
        if (opt === 'gw') d.warning(line, `route: 'gw' is deprecated - use 'via'`);
        if (opt === 'or') d.warning(line, `route: 'or' is deprecated - use 'nexthop'`);
        const a = routeAddress(value, line, d, 'gateway');
        if (!a) return undefined;
        if (opt === 'or') nexthops.push({ via: a.address, onlink: false });
        else r.via = a.address;
        i++;
        break;
      }
      case 'dev':
      case 'oif':
        if (value === undefined) {
          d.warning(line, `route: missing device - skipping route`);
          return undefined;
        }
        r.dev = value;
        i++;
        break;
      case 'scope':
      case 'table':
      case 'protocol':
      case 'proto':
        if (value === undefined) {
          d.warning(line, `route: missing ${opt} value - skipping route`);
          return undefined;
        }
        if (opt === 'scope') r.scope = value;
        else if (opt === 'table') r.table = value;
        else r.protocol = value;
        i++;
        break;
      case 'metric':
      case 'priority':
      case 'preference': {
        const n = value === undefined ? undefined : parseUnsigned(value);
        if (n === undefined) {
          d.warning(line, `route: invalid ${opt} '${value ?? ''}' - skipping route`);
          return undefined;
        }
        r.metric = n;
        i++;
        break;
      }
      case 'nexthop': {
        const hop: Mutable<Nexthop> = { onlink: false };
        let j = i + 1;
        for (; j < w.length; j++) {
          const k = w[j]!;
          if (k === 'via' || k === 'gw') {
            const a = routeAddress(w[j + 1], line, d, 'nexthop gateway');
            if (!a) return undefined;
            hop.via = a.address;
            j++;
          } else if (k === 'dev') {
            hop.dev = w[++j];
          } else if (k === 'weight') {
            const n = w[j + 1] === undefined ? undefined : parseUnsigned(w[j + 1]!);
            if (n === undefined || n < 1 || n > 256) {
              d.warning(line, `route: invalid nexthop weight '${w[j + 1] ?? ''}' - skipping route`);
              return undefined;
            }
            hop.weight = n;
            j++;
          } else if (k === 'onlink') hop.onlink = true;
          else break;
        }
        nexthops.push(hop);
        i = j - 1;
        break;
      }
      case 'no_track':
        r.noTrack = true;
        break;
      case 'track_group':
        if (!isStatic) d.warning(line, `route: track_group only applies to static routes - ignoring`);
        else r.trackGroup = value;
        i++;
        break;
      case 'inet6':
        forceInet6 = true;
        break;
      default:
        if (!destinationSeen && ROUTE_TYPES.has(opt)) {
          r.type = opt;
          break;
        }
        if (!destinationSeen && (opt === 'default' || /^[0-9a-fA-F:.]+(\/[0-9]+)?$/.test(opt))) {
          const a = routeAddress(opt, line, d, 'destination');
          if (!a) return undefined;
          r.destination = a.address;
          r.prefix = a.prefix;
          r.family = a.family;
          destinationSeen = true;
          break;
        }
        if (ROUTE_FLAGS.has(opt)) options.push([opt, '']);
        else if (value !== undefined) {
          options.push([opt, value]);
          i++;
        } else options.push([opt, '']);
    }
  }
  if (!destinationSeen) {
    d.warning(line, `route: no destination - skipping route`);
    return undefined;
  }
  if (forceInet6 && r.family === 4 && r.destination === '0.0.0.0' && r.prefix === 0) {
    r.family = 6;
    r.destination = '::';
  }
  r.nexthops = nexthops;
  r.options = options;
  r.at = positionOf(line);
  return r;
}

const RULE_ACTIONS = new Set(['blackhole', 'prohibit', 'unreachable', 'nop']);

export function parseRuleLine(line: ConfigLine, d: Diagnostics, isStatic: boolean): Rule | undefined {
  const w = line.words;
  const r: Mutable<Rule> = { family: 4, invert: false, noTrack: false, options: [] };
  const options: [string, string][] = [];
  let familyKnown = false;
  const prefixArg = (text: string | undefined, what: 'from' | 'to'): boolean => {
    const p = text === 'all' ? { address: 'all', prefix: 0, family: r.family } : prefixed(text, line, new Diagnostics(), 'rule');
    if (!p) {
      d.warning(line, `rule: invalid ${what} address '${text ?? ''}' - skipping rule`);
      return false;
    }
    if (p.address !== 'all') {
      if (familyKnown && p.family !== r.family) {
        d.warning(line, `rule: ${what} address family does not match - skipping rule`);
        return false;
      }
      r.family = p.family;
      familyKnown = true;
    }
    r[what] = p.address === 'all' ? 'all' : `${p.address}/${p.prefix}`;
    return true;
  };
  for (let i = 0; i < w.length; i++) {
    const opt = w[i]!;
    const value = w[i + 1];
    switch (opt) {
      case 'from':
      case 'to':
        if (!prefixArg(value, opt)) return undefined;
        i++;
        break;
      case 'not':
        r.invert = true;
        break;
      case 'table':
      case 'lookup':
        r.table = value;
        i++;
        break;
      case 'preference':
      case 'priority':
      case 'order': // keepalived's third spelling
      case 'pref': {
        const n = value === undefined ? undefined : parseUnsigned(value);
        if (n === undefined || n > 4294967295) {
          d.warning(line, `rule: invalid preference '${value ?? ''}' - skipping rule`);
          return undefined;
        }
        r.preference = n;
        i++;
        break;
      }
      case 'iif':
      case 'dev':
        r.iif = value;
        i++;
        break;
      case 'oif':
        r.oif = value;
        i++;
        break;
      case 'fwmark':
        r.fwmark = value;
        i++;
        break;
      case 'no_track':
        r.noTrack = true;
        break;
      case 'track_group':
        if (!isStatic) d.warning(line, `rule: track_group only applies to static rules - ignoring`);
        else r.trackGroup = value;
        i++;
        break;
      case 'inet6':
        r.family = 6;
        familyKnown = true;
        break;
      case 'l3mdev':
        options.push([opt, '']);
        break;
      default:
        if (RULE_ACTIONS.has(opt) || opt === 'type') {
          r.action = opt === 'type' ? value : opt;
          if (opt === 'type') i++;
        } else if (value !== undefined) {
          options.push([opt, value]);
          i++;
        } else {
          d.warning(line, `rule: unknown option '${opt}' - ignoring`);
        }
    }
    if (value === undefined && ['table', 'lookup', 'iif', 'dev', 'oif', 'fwmark', 'track_group'].includes(opt)) {
      d.warning(line, `rule: missing ${opt} value - skipping rule`);
      return undefined;
    }
  }
  if (r.from === undefined && r.to === undefined && r.table === undefined && r.iif === undefined && r.oif === undefined && r.fwmark === undefined && r.action === undefined && options.length === 0) {
    d.warning(line, 'rule: nothing to match or do - skipping rule');
    return undefined;
  }
  if (r.preference === undefined) d.warning(line, 'rule: no preference given - keepalived assigns one');
  r.options = options;
  r.at = positionOf(line);
  return r;
}
