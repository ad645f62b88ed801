/**
 * Textual IP addresses ⇄ bytes for netlink attributes and raw frames: protocol/ip.ts's conversions, throwing on
 * bad input (a transport is handed addresses the configuration already checked).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip.js';
import type { IpFamily } from './ip.js';

export function ipFamilyOf(address: string): IpFamily {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  throw new Error(`not an IP address: ${address}`);
}

export function ipv4ToBytes(address: string): Uint8Array {
  const bytes = parseIpv4(address);
  if (!bytes) throw new Error(`not an IPv4 address: ${address}`);
  return bytes;
}

export function ipv6ToBytes(address: string): Uint8Array {
  const bytes = parseIpv6(address.replace(/%.*$/, '')); // a zone index (fe80::1%eth0) is not part of the address
  if (!bytes) throw new Error(`not an IPv6 address: ${address}`);
  return bytes;
}

export function ipToBytes(address: string): Uint8Array {
  return ipFamilyOf(address.replace(/%.*$/, '')) === 4 ? ipv4ToBytes(address) : ipv6ToBytes(address);
}

/** Formats 4 or 16 bytes; IPv6 in RFC 5952 form (lowercase, longest zero run compressed). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return formatIpv4(bytes);
  if (bytes.length !== 16) throw new Error(`address of ${bytes.length} bytes`);
  return formatIpv6(bytes);
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
