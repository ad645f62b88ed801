/**
 * `virtual_server_group NAME { IP[-RANGE] [PORT] ... fwmark N [inet|inet6] }` (keepalived.conf(5)). Ranges:
 * `192.168.200.1-10` (last byte, or last 16-bit group for IPv6), `A-B` (two full addresses), `A/nn`.
 */
import { compareAddresses, formatIp, parseIp } from '../../protocol/ip.js';
import { Diagnostics } from '../diagnostics.js';
import type { VirtualServerGroupEntry } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { address, integerText, parseUnsigned } from '../values.js';

function withLast(bytes: Uint8Array, family: 4 | 6, value: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (family === 4) out[3] = value;
  else {
    out[14] = value >> 8;
    out[15] = value & 0xff;
  }
  return out;
}

/** The last address of `base/prefix`. */
function lastOfPrefix(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let bit = prefix; bit < out.length * 8; bit++) out[bit >> 3]! |= 0x80 >> (bit & 7);
  return out;
}

export function parseGroupEntry(line: ConfigLine, d: Diagnostics): VirtualServerGroupEntry | undefined {
  const [first, second, third] = line.words as (string | undefined)[];
  if (first === 'fwmark') {
    const n = second === undefined ? undefined : integerText(second, line, 0, 4294967295, d, 'fwmark');
    if (n === undefined) {
      if (second === undefined) d.error(line, 'virtual_server_group: fwmark value missing');
      return undefined;
    }
    if (third !== undefined && third !== 'inet' && third !== 'inet6') {
      d.error(line, `virtual_server_group: fwmark family '${third}' is not inet or inet6`);
      return undefined;
    }
    return third === undefined ? { kind: 'fwmark', fwmark: n } : { kind: 'fwmark', fwmark: n, family: third === 'inet' ? 4 : 6 };
  }
  const text = first!;
  let ip: string;
  let rangeEnd: string | undefined;
  let family: 4 | 6;
  const slash = text.indexOf('/');
  const dash = text.indexOf('-');
  if (slash >= 0) {
    const a = address(text.slice(0, slash), line, d, 'virtual_server_group');
    if (!a) return undefined;
    const max = a.family === 4 ? 32 : 128;
    const prefix = parseUnsigned(text.slice(slash + 1));
    if (prefix === undefined || prefix > max) {
      d.error(line, `virtual_server_group: prefix length of '${text}' is not from 0 to ${max}`);
      return undefined;
    }
    family = a.family;
    ip = a.address;
    rangeEnd = formatIp(lastOfPrefix(parseIp(ip)!, prefix));
    if (rangeEnd === ip) rangeEnd = undefined;
  } else if (dash >= 0) {
    const a = address(text.slice(0, dash), line, d, 'virtual_server_group');
    if (!a) return undefined;
    family = a.family;
    ip = a.address;
    const tail = text.slice(dash + 1);
    const full = tail.includes(family === 4 ? '.' : ':') ? address(tail, line, new Diagnostics(), 'virtual_server_group') : undefined;
    if (full) {
      if (full.family !== family || compareAddresses(full.address, ip) < 0) {
        d.error(line, `virtual_server_group: range '${text}' does not go upwards within one family`);
        return undefined;
      }
      rangeEnd = full.address;
    } else {
      const bytes = parseIp(ip)!;
      const start = family === 4 ? bytes[3]! : (bytes[14]! << 8) | bytes[15]!;
      const end = family === 4 ? parseUnsigned(tail) : /^[0-9a-fA-F]{1,4}$/.test(tail) ? parseInt(tail, 16) : undefined;
      if (end === undefined || end > (family === 4 ? 255 : 0xffff) || end < start) {
        d.error(line, `virtual_server_group: invalid range end '${tail}' in '${text}'`);
        return undefined;
      }
      rangeEnd = formatIp(withLast(bytes, family, end));
    }
  } else {
    const a = address(text, line, d, 'virtual_server_group');
    if (!a) return undefined;
    family = a.family;
    ip = a.address;
  }
  let port: number | undefined;
  if (second !== undefined) {
    port = integerText(second, line, 0, 65535, d, 'virtual_server_group port');
    if (port === undefined) return undefined;
  }
  return { kind: 'address', family, ip, ...(rangeEnd !== undefined ? { rangeEnd } : {}), ...(port !== undefined ? { port } : {}) };
}
