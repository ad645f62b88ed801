/**
 * One line of virtual_routes / static_routes, read word by word as keepalived 2.2.7 reads it (vrrp_iproute.c
 * alloc_route and parse_nexthops): the `ip route add` options it knows, each with the words it takes. Names and
 * numbers stay text here; config/finalize-routes.ts resolves them. keepalived drops a route it cannot read and
 * carries on, so a problem is a warning and the route is skipped.
 */
import type { IpFamily } from '../../protocol/ip.js';
import { Diagnostics, positionOf } from '../diagnostics.js';
import type { Nexthop, Route } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { parseUnsigned, prefixed } from '../values.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Route types as keepalived knows them (lib/rttables.c; `brd` is its short broadcast). */
export const ROUTE_TYPE_WORDS = new Set(['unicast', 'local', 'nat', 'broadcast', 'brd', 'anycast', 'multicast', 'prohibit', 'unreachable', 'blackhole', 'xresolve', 'throw']);

/** Options followed by one word. */
const ONE_WORD = new Set(['tos', 'dsfield', 'expires', 'hoplimit', 'window', 'initcwnd', 'initrwnd', 'realms', 'features', 'quickack', 'pref', 'ttl-propagate', 'fastopen_no_cookie', 'vrf']);
/** Options followed by `lock` (optional) and one word. */
const LOCKABLE = new Set(['mtu', 'advmss', 'rtt', 'rttvar', 'reordering', 'cwnd', 'ssthresh', 'rto_min', 'congctl']);
/** How an add meets a route with the same key. */
const MODES = new Set(['add', 'prepend', 'append']);

/** The words of `encap TYPE …` from `i` (TYPE's index): mpls and ila take one word, ip and ip6 key/value pairs. */
function encapWords(w: readonly string[], i: number): string[] {
  const type = w[i];
  if (type === undefined) return [];
  if (type === 'mpls' || type === 'ila') return w[i + 1] === undefined ? [type] : [type, w[i + 1]!];
  const keys = type === 'ip' ? ['id', 'dst', 'src', 'tos', 'ttl', 'flags'] : type === 'ip6' ? ['id', 'dst', 'src', 'tc', 'hoplimit', 'flags'] : [];
  const out = [type];
  for (let j = i + 1; j + 1 < w.length && keys.includes(w[j]!); j += 2) out.push(w[j]!, w[j + 1]!);
  return out;
}

/** An address as keepalived's parse_ipaddress takes it (a prefix only where `withPrefix`), or undefined. */
function addressOf(text: string | undefined, withPrefix = false): { address: string; prefix: number; family: IpFamily } | undefined {
  if (text === undefined || (!withPrefix && text.includes('/'))) return undefined;
  // The reason goes into one warning by the caller, so the reader's own message is discarded.
  return prefixed(text, { file: '', line: 0 }, new Diagnostics(), 'route');
}

/** A destination as keepalived's parse_route takes it: also default / any / all (family open) and default6. */
function destinationOf(text: string): { address?: string; prefix: number; family?: IpFamily } | undefined {
  if (text === 'default' || text === 'any' || text === 'all') return { prefix: 0 };
  if (text === 'default6') return { prefix: 0, family: 6 };
  return addressOf(text, true);
}

export function parseRouteLine(line: ConfigLine, d: Diagnostics, isStatic: boolean): Route | undefined {
  const w = line.words;
  const skip = (why: string): undefined => {
    d.warning(line, `route: ${why} - skipping route`);
    return undefined;
  };
  let family: IpFamily | undefined;
  /** keepalived: one family per route, from the first address or family word. */
  const sameFamily = (f: IpFamily): boolean => {
    if (family === undefined) family = f;
    return family === f;
  };
  const r: Mutable<Route> = { family: 4, type: 'unicast', destination: '', prefix: 0, nexthops: [], noTrack: false, options: [] };
  const options: [string, string][] = [];
  let destination: { address?: string; prefix: number; family?: IpFamily } | undefined;
  let i = 0;
  for (; i < w.length; i++) {
    const opt = w[i]!;
    if (opt === 'nexthop') break;
    const value = w[i + 1];
    switch (opt) {
      case 'inet':
      case 'inet6':
        if (!sameFamily(opt === 'inet' ? 4 : 6)) return skip(`${opt} given for an IPv${family} route`);
        // keepalived 2.2.7 steps over the word after inet / inet6 (it advances twice); so does vigil, or the
        // line would mean something else here than there.
        i++;
        break;
      case 'src': {
        const a = addressOf(value);
        if (!a) return skip(`invalid src address '${value ?? ''}'`);
        if (!sameFamily(a.family)) return skip('IPv4 and IPv6 addresses mixed');
        r.src = a.address;
        i++;
        break;
      }
      case 'as':
        // keepalived: "as to" is for MPLS only and is ignored.
        if (w[i + 1] === 'to') i++;
        i++;
        d.warning(line, "route: 'as to' is for MPLS only - ignoring");
        break;
      case 'via':
      case 'gw': {
        if (opt === 'gw') d.warning(line, "route: 'gw' is deprecated - use 'via'");
        let j = i + 1;
        if (w[j] === 'inet' || w[j] === 'inet6') {
          if (!sameFamily(w[j] === 'inet' ? 4 : 6)) return skip('IPv4 and IPv6 addresses mixed');
          j++;
        }
        const a = addressOf(w[j]);
        if (!a) return skip(`invalid via address '${w[j] ?? ''}'`);
        if (!sameFamily(a.family)) return skip('IPv4 and IPv6 addresses mixed');
        r.via = a.address;
        i = j;
        break;
      }
      case 'or': {
        // keepalived's old spelling of two next hops: the via so far and this one.
        d.warning(line, "route: 'or' is deprecated - use 'nexthop'");
        if (r.nexthops.length > 0) {
          d.warning(line, "route: 'or' given twice - ignoring the second");
          i++;
          break;
        }
        const a = addressOf(value);
        if (!a) return skip(`invalid 'or' address '${value ?? ''}'`);
        r.nexthops = [{ ...(r.via !== undefined ? { via: r.via } : {}), onlink: false }, { via: a.address, onlink: false }];
        r.via = undefined;
        i++;
        break;
      }
      case 'from': {
        const a = addressOf(value, true);
        if (!a) return skip(`invalid from address '${value ?? ''}'`);
        if (a.family !== 6) return skip(`a from address is only for IPv6 routes (${value})`);
        if (!sameFamily(6)) return skip('IPv4 and IPv6 addresses mixed');
        options.push([opt, `${a.address}/${a.prefix}`]);
        i++;
        break;
      }
      case 'table':
      case 'protocol':
      case 'scope':
        if (value === undefined) return skip(`missing ${opt} value`);
        if (opt === 'table') r.table = value;
        else if (opt === 'protocol') r.protocol = value;
        else r.scope = value;
        i++;
        break;
      case 'metric':
      case 'priority':
      case 'preference': {
        const n = value === undefined ? undefined : parseUnsigned(value);
        if (n === undefined || n > 0xffffffff) return skip(`invalid ${opt} '${value ?? ''}'`);
        r.metric = n;
        i++;
        break;
      }
      case 'dev':
      case 'oif':
        if (value === undefined) return skip('missing device');
        r.dev = value;
        i++;
        break;
      case 'onlink':
      case 'add':
      case 'prepend':
      case 'append':
        options.push([opt, '']);
        break;
      case 'encap': {
        const words = encapWords(w, i + 1);
        if (words.length === 0) return skip('missing encap type');
        options.push([opt, words.join(' ')]);
        i += words.length;
        break;
      }
      case 'no_track':
        r.noTrack = true;
        break;
      case 'track_group':
        if (!isStatic) return skip('unknown route keyword track_group');
        if (value === undefined) return skip('missing track_group name');
        r.trackGroup = value;
        i++;
        break;
      default: {
        if (ONE_WORD.has(opt) || LOCKABLE.has(opt)) {
          const lock = LOCKABLE.has(opt) && value === 'lock' ? 1 : 0;
          const v = w[i + 1 + lock];
          if (v === undefined) return skip(`missing ${opt} value`);
          if (opt === 'realms' && !sameFamily(4)) return skip('realms are only for IPv4 routes');
          if ((opt === 'pref' || opt === 'expires') && !sameFamily(6)) return skip(`${opt} is only for IPv6 routes`);
          options.push([opt, lock ? `lock ${v}` : v]);
          i += 1 + lock;
          break;
        }
        // Anything else is the destination: `[to] [TYPE] PREFIX`.
        let j = i;
        if (w[j] === 'to') j++;
        if (w[j] !== undefined && ROUTE_TYPE_WORDS.has(w[j]!)) {
          r.type = w[j] === 'brd' ? 'broadcast' : w[j]!;
          j++;
        }
        const text = w[j];
        const dest = text === undefined ? undefined : destinationOf(text);
        if (!dest) return skip(`unknown route keyword ${text ?? opt}`);
        if (dest.family !== undefined && !sameFamily(dest.family)) return skip(`IPv4 and IPv6 addresses mixed (${text})`);
        destination = dest;
        i = j;
      }
    }
  }
  if (i < w.length) {
    const hops = parseNexthops(w, i, () => family, (f) => sameFamily(f), (why) => skip(why));
    if (!hops) return undefined;
    if (r.nexthops.length > 0) d.warning(line, "route: nexthop given with 'or' - ignoring the nexthops");
    else r.nexthops = hops;
  }
  if (!destination) return skip('no destination');
  r.family = family ?? 4;
  r.destination = destination.address ?? (r.family === 4 ? '0.0.0.0' : '::');
  r.prefix = destination.prefix;
  r.options = options;
  r.at = positionOf(line);
  return r;
}

/** `nexthop …` groups from `i` to the end of the line (keepalived's parse_nexthops); undefined when one is bad. */
function parseNexthops(
  w: readonly string[],
  start: number,
  family: () => IpFamily | undefined,
  sameFamily: (f: IpFamily) => boolean,
  skip: (why: string) => undefined,
): Nexthop[] | undefined {
  const hops: Nexthop[] = [];
  let i = start;
  while (i < w.length && w[i] === 'nexthop') {
    i++;
    const hop: Mutable<Nexthop> = { onlink: false };
    for (; i < w.length; i++) {
      const k = w[i]!;
      if (k === 'via') {
        if (w[i + 1] === 'inet' || w[i + 1] === 'inet6') {
          if (!sameFamily(w[i + 1] === 'inet' ? 4 : 6)) return skip('IPv4/6 mismatch for nexthop');
          i++;
        }
        const a = addressOf(w[i + 1]);
        if (!a) return skip(`invalid nexthop address '${w[i + 1] ?? ''}'`);
        if (!sameFamily(a.family)) return skip('address family mismatch for next hop');
        hop.via = a.address;
        i++;
      } else if (k === 'dev') {
        if (w[i + 1] === undefined) return skip('missing nexthop device');
        hop.dev = w[++i];
      } else if (k === 'weight') {
        const n = w[i + 1] === undefined ? undefined : parseUnsigned(w[i + 1]!);
        if (n === undefined || n < 1 || n > 256) return skip(`invalid nexthop weight '${w[i + 1] ?? ''}'`);
        hop.weight = n;
        i++;
      } else if (k === 'onlink') hop.onlink = true;
      else if (k === 'encap') {
        const words = encapWords(w, i + 1);
        if (words.length === 0) return skip('missing encap type');
        hop.encap = words.join(' ');
        i += words.length;
      } else if (k === 'realms') {
        if (w[i + 1] === undefined) return skip('missing nexthop realms');
        if (family() === 6 || !sameFamily(4)) return skip('realms are only for IPv4 routes');
        hop.realms = w[++i];
      } else if (k === 'as') return skip("'as [to]' (nat) is not supported by keepalived");
      else break;
    }
    hops.push(hop);
  }
  if (i < w.length) return skip(`trailing words after the nexthops - ${w[i]}`);
  return hops;
}
