/** Textual IP addresses ⇄ bytes, for netlink attributes and raw frames. */
import { isIPv4, isIPv6 } from 'node:net';
import type { IpFamily } from '../vrrp-link.js';

export function ipFamilyOf(address: string): IpFamily {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  throw new Error(`not an IP address: ${address}`);
}

export function ipv4ToBytes(address: string): Uint8Array {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return Uint8Array.from(address.split('.').map((part) => Number(part)));
}

export function ipv6ToBytes(address: string): Uint8Array {
  const bare = address.replace(/%.*$/, ''); // drop a zone index (fe80::1%eth0)
  if (!isIPv6(bare)) throw new Error(`not an IPv6 address: ${address}`);
  // An embedded dotted quad (::ffff:1.2.3.4) becomes the last two hex groups.
  const text = bare.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) => {
    const hi = (Number(a) << 8) | Number(b);
    const lo = (Number(c) << 8) | Number(d);
    return `${hi.toString(16)}:${lo.toString(16)}`;
  });
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((g) => parseInt(g, 16));
  const halves = text.split('::');
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const groups = halves.length > 1 ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = (g >> 8) & 0xff;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

export function ipToBytes(address: string): Uint8Array {
  return ipFamilyOf(address.replace(/%.*$/, '')) === 4 ? ipv4ToBytes(address) : ipv6ToBytes(address);
}

/** Formats 4 or 16 bytes; IPv6 in RFC 5952 form (lowercase, longest zero run compressed). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new Error(`address of ${bytes.length} bytes`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** IPv4 broadcast address of `address/prefix` (iproute2's `brd +`). */
export function ipv4Broadcast(address: string, prefix: number): string {
  const bytes = ipv4ToBytes(address);
  const value = (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
  const hostMask = prefix >= 32 ? 0 : (0xffffffff >>> prefix) >>> 0;
  const b = (value | hostMask) >>> 0;
  return [b >>> 24, (b >>> 16) & 0xff, (b >>> 8) & 0xff, b & 0xff].join('.');
}

export function macToString(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function macFromString(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`bad MAC: ${text}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}
