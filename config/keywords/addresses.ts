/**
 * One line of virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress (`ip address add` options). A bad
 * address is an error (routes and rules are read in routes.ts and rules.ts).
 */
import { canonicalIp, ipFamily, parseIpv4, formatIpv4 } from '../../protocol/ip.js';
import type { IpFamily } from '../../protocol/ip.js';
import { Diagnostics, positionOf } from '../diagnostics.js';
import type { IpAddress } from '../model.js';
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
        // keepalived reads the peer without a prefix: the address becomes a host address (/32, /128) with it.
        const text = w[++i]!;
        const family = text.includes('/') ? undefined : ipFamily(text);
        const pa = family !== undefined ? { address: canonicalIp(text)!, family } : undefined;
        if (a.peer !== undefined) d.warning(line, `${keyword}: peer ${text} - another peer has already been given - ignoring`);
        else if (!pa) d.warning(line, `${keyword}: invalid peer address ${text} - ignoring`);
        else if (pa.family !== a.family) d.warning(line, `${keyword}: peer ${pa.address} does not match the address family - ignoring`);
        else {
          if (a.prefix !== (a.family === 4 ? 32 : 128)) d.warning(line, `${keyword}: a prefix cannot be given with a peer address (${w[0]}) - ignoring the prefix`);
          a.peer = pa.address;
          a.prefix = a.family === 4 ? 32 : 128;
        }
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
  if ((broadcastSign !== undefined || a.broadcast !== undefined) && a.peer !== undefined) {
    d.warning(line, `${keyword}: broadcast and peer addresses cannot both be given for ${w[0]} - ignoring the broadcast address`);
    broadcastSign = undefined;
    a.broadcast = undefined;
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
