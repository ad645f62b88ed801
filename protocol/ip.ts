/** IPv4/IPv6 text ⇄ bytes, canonical text (RFC 5952), numeric comparison and CIDR parsing. */
import { isIP } from 'node:net';

/** 4 = IPv4, 6 = IPv6. */
export type IpFamily = 4 | 6;

export function ipFamily(text: string): IpFamily | undefined {
  const v = isIP(text);
  return v === 4 ? 4 : v === 6 ? 6 : undefined;
}

export function parseIpv4(text: string): Uint8Array | undefined {
  if (isIP(text) !== 4) return undefined;
  return Uint8Array.from(text.split('.').map(Number));
}

export function parseIpv6(text: string): Uint8Array | undefined {
  if (isIP(text) !== 6) return undefined;
  let head = text;
  let tail4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail4 = text.slice(lastColon + 1).split('.').map(Number);
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.split('::') as [string, string | undefined];
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const words = right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  if (tail4.length === 4) out.set(tail4, 12);
  return out;
}

/** Parsed addresses by text: a router sees the same few addresses all day (hot path of encode/decode). */
const parsedCache = new Map<string, Uint8Array | undefined>();
const PARSED_CACHE_LIMIT = 4096;

/** The address's bytes; the array is shared, so callers must not modify it. */
export function parseIp(text: string): Uint8Array | undefined {
  const cached = parsedCache.get(text);
  if (cached !== undefined || parsedCache.has(text)) return cached;
  const bytes = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
  parsedCache.set(text, bytes);
  return bytes;
}

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952: lower case, leading zeros dropped, the longest run (≥ 2) of zero groups compressed, first on ties. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[offset + i * 2]! << 8) | bytes[offset + i * 2 + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

export function formatIp(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIpv4(bytes) : formatIpv6(bytes);
}

/** Canonical text of an address, or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const bytes = parseIp(text);
  return bytes ? formatIp(bytes) : undefined;
}

/**
 * Whether the text of an address is multicast: IPv4 224.0.0.0/4, IPv6 ff00::/8 (a first group of four digits
 * starting ff: `ff::1` is 00ff::1). Read from the text, without parsing: links ask it of every packet.
 */
export function isMulticastIp(text: string): boolean {
  if (text.includes(':')) return /^ff[0-9a-f]{2}:/i.test(text);
  const first = Number(text.slice(0, text.indexOf('.')));
  return first >= 224 && first <= 239;
}

/** Numeric comparison of two addresses of the same family (RFC 5798 §6.4.3 tie-break: higher wins). */
export function compareAddresses(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  if (!x || !y) return 0;
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}
