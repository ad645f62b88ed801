/**
 * ICMP echo request/reply (RFC 792; ICMPv6 RFC 4443 §4.1-4.2) for PING_CHECK. IPv4 needs our checksum; for
 * ICMPv6 the kernel fills it on raw sockets (RFC 3542 §3.1), so it stays 0 here.
 */
import { internetChecksum } from './checksum.js';

export const ICMP_ECHO_REQUEST = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;

export function encodeEchoRequest(family: 4 | 6, identifier: number, sequence: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const view = new DataView(out.buffer);
  out[0] = family === 4 ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST;
  view.setUint16(4, identifier);
  view.setUint16(6, sequence);
  out.set(payload, 8);
  if (family === 4) view.setUint16(2, internetChecksum(out));
  return out;
}

export interface EchoReply {
  readonly identifier: number;
  readonly sequence: number;
}

/**
 * An echo reply's identifier and sequence, or undefined for anything else. IPv4 raw sockets deliver the IP
 * header too: it is skipped using its IHL.
 */
export function decodeEchoReply(family: 4 | 6, bytes: Uint8Array): EchoReply | undefined {
  let offset = 0;
  if (family === 4) {
    if (bytes.length < 20 || bytes[0]! >> 4 !== 4) return undefined;
    offset = (bytes[0]! & 0x0f) * 4;
  }
  if (bytes.length < offset + 8) return undefined;
  if (bytes[offset] !== (family === 4 ? ICMP_ECHO_REPLY : ICMPV6_ECHO_REPLY) || bytes[offset + 1] !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { identifier: view.getUint16(offset + 4), sequence: view.getUint16(offset + 6) };
}
