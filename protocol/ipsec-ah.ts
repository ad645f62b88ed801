/**
 * VRRPv2 `auth_type AH` on the wire, as keepalived 2.2 does it: an IPsec Authentication Header (RFC 2402 §2)
 * between the IPv4 header (protocol 51) and the VRRP message (next header 112), authenticated with HMAC-MD5-96
 * (RFC 2403). keepalived's choices, read from its packets (test/protocol/ipsec-ah.test.ts holds captured ones):
 * - SPI = the sender's IPv4 source address (there is no SA negotiation in a multicast group);
 * - payload length 4 (a 24-byte header with a 12-byte ICV), reserved 0;
 * - the IPv4 header: TOS 0xc0, identification counting from 1 per advertisement, no flags, TTL 255;
 * - the key is auth_pass's first 8 bytes (keepalived truncates longer ones);
 * - the ICV covers the IPv4 header with TOS, flags/fragment offset and header checksum zeroed, and the TTL zeroed
 *   in unicast mode only (keepalived leaves it in for multicast, where it is always 255); then the AH header with
 *   its ICV zeroed; then the VRRP message. IP options, when a datagram has any, are covered as they are.
 * Everything here is a pure function of its arguments; nothing throws on received bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { internetChecksum } from './checksum.js';
import { parseIpv4 } from './ip.js';
import { VRRP_PROTOCOL } from './vrrp-types.js';

/** IP protocol number of AH (RFC 2402 §2). */
export const IPPROTO_AH = 51;
export const AH_HEADER_LENGTH = 24;
/** HMAC-MD5 truncated to 96 bits (RFC 2403 §2). */
export const AH_ICV_LENGTH = 12;
/** RFC 2402 §2.2: the AH length in 32-bit words minus 2: (24 / 4) - 2. */
export const AH_PAYLOAD_LENGTH = 4;
/** keepalived: the HMAC key is the 8-byte auth_data (auth_pass truncated, zero-padded). */
export const AH_KEY_LENGTH = 8;
const IPV4_HEADER_LENGTH = 20;
/** IPTOS_PREC_INTERNETCONTROL, as keepalived sets it. */
const TOS_INTERNET_CONTROL = 0xc0;

export interface AhHeader {
  readonly nextHeader: number;
  readonly payloadLength: number;
  /** Unsigned 32-bit. */
  readonly spi: number;
  /** Unsigned 32-bit. */
  readonly sequence: number;
  readonly icv: Uint8Array;
}

/** The HMAC key for an auth_pass: its first 8 bytes (HMAC pads it with zeros as keepalived's buffer does). */
export function ahKey(password: string): Uint8Array {
  return new TextEncoder().encode(password).subarray(0, AH_KEY_LENGTH);
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function putU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = (value >>> 24) & 0xff;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

export function encodeAhHeader(header: AhHeader): Uint8Array {
  const out = new Uint8Array(AH_HEADER_LENGTH);
  out[0] = header.nextHeader;
  out[1] = header.payloadLength;
  putU32(out, 4, header.spi);
  putU32(out, 8, header.sequence);
  out.set(header.icv.subarray(0, AH_ICV_LENGTH), 12);
  return out;
}

/** The AH header at `offset`; undefined when fewer than 24 bytes are left. */
export function decodeAhHeader(bytes: Uint8Array, offset = 0): AhHeader | undefined {
  if (bytes.length - offset < AH_HEADER_LENGTH) return undefined;
  return {
    nextHeader: bytes[offset]!,
    payloadLength: bytes[offset + 1]!,
    spi: u32(bytes, offset + 4),
    sequence: u32(bytes, offset + 8),
    icv: bytes.slice(offset + 12, offset + AH_HEADER_LENGTH),
  };
}

/**
 * HMAC-MD5-96 over a datagram whose AH header starts at `ahOffset` (the IPv4 header length): mutable IPv4 fields
 * and the ICV itself read as zeros, the TTL too when `unicast`.
 */
export function ahIcv(datagram: Uint8Array, ahOffset: number, key: Uint8Array, unicast: boolean): Uint8Array {
  const covered = Uint8Array.from(datagram.subarray(0, ahOffset + AH_HEADER_LENGTH));
  covered[1] = 0; // TOS
  covered[6] = 0; // flags, fragment offset
  covered[7] = 0;
  if (unicast) covered[8] = 0; // TTL
  covered[10] = 0; // header checksum
  covered[11] = 0;
  covered.fill(0, ahOffset + 12, ahOffset + AH_HEADER_LENGTH);
  const hmac = createHmac('md5', key);
  hmac.update(covered);
  hmac.update(datagram.subarray(ahOffset + AH_HEADER_LENGTH));
  return new Uint8Array(hmac.digest().subarray(0, AH_ICV_LENGTH));
}

export interface AhSealParams {
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
  /** IPv4 identification, 1–65535 (0 would let the kernel pick one after the ICV is computed). */
  readonly identification: number;
  readonly sequence: number;
  readonly key: Uint8Array;
  /** Unicast mode: the TTL is left out of the ICV. */
  readonly unicast: boolean;
}

/** The whole IPv4 datagram keepalived would send for this VRRP message: IP header, AH with its ICV, message. */
export function sealAhDatagram(vrrp: Uint8Array, p: AhSealParams): Uint8Array {
  const source = parseIpv4(p.source);
  const destination = parseIpv4(p.destination);
  if (!source || !destination) throw new RangeError(`AH needs IPv4 addresses: ${p.source} → ${p.destination}`);
  const length = IPV4_HEADER_LENGTH + AH_HEADER_LENGTH + vrrp.length;
  const out = new Uint8Array(length);
  out[0] = 0x45;
  out[1] = TOS_INTERNET_CONTROL;
  out[2] = length >> 8;
  out[3] = length & 0xff;
  out[4] = (p.identification >> 8) & 0xff;
  out[5] = p.identification & 0xff;
  out[8] = p.ttl;
  out[9] = IPPROTO_AH;
  out.set(source, 12);
  out.set(destination, 16);
  const spi = u32(source, 0);
  out.set(encodeAhHeader({ nextHeader: VRRP_PROTOCOL, payloadLength: AH_PAYLOAD_LENGTH, spi, sequence: p.sequence, icv: new Uint8Array(AH_ICV_LENGTH) }), IPV4_HEADER_LENGTH);
  out.set(vrrp, IPV4_HEADER_LENGTH + AH_HEADER_LENGTH);
  out.set(ahIcv(out, IPV4_HEADER_LENGTH, p.key, p.unicast), IPV4_HEADER_LENGTH + 12);
  // The kernel fills the header checksum of an IP_HDRINCL send anyway; a simulated link carries it as computed.
  const checksum = internetChecksum(out.subarray(0, IPV4_HEADER_LENGTH));
  out[10] = checksum >> 8;
  out[11] = checksum & 0xff;
  return out;
}

export type AhOpened =
  | {
      readonly ok: true;
      readonly headerLength: number;
      readonly ah: AhHeader;
      /** The VRRP message after the AH header. */
      readonly payload: Uint8Array;
    }
  /** `length`: not an IPv4 + AH datagram; `not_vrrp`: an AH header for another protocol (keepalived ignores it). */
  | { readonly ok: false; readonly reason: 'length' | 'not_vrrp' };

/** Splits a received protocol-51 IPv4 datagram into its headers and the VRRP message. */
export function openAhDatagram(datagram: Uint8Array): AhOpened {
  if (datagram.length < IPV4_HEADER_LENGTH || datagram[0]! >> 4 !== 4) return { ok: false, reason: 'length' };
  const headerLength = (datagram[0]! & 0x0f) * 4;
  if (headerLength < IPV4_HEADER_LENGTH || datagram[9] !== IPPROTO_AH) return { ok: false, reason: 'length' };
  const ah = decodeAhHeader(datagram, headerLength);
  // keepalived reads a fixed 24-byte header; another length would put the VRRP message elsewhere.
  if (!ah || ah.payloadLength !== AH_PAYLOAD_LENGTH) return { ok: false, reason: 'length' };
  if (ah.nextHeader !== VRRP_PROTOCOL) return { ok: false, reason: 'not_vrrp' };
  return { ok: true, headerLength, ah, payload: datagram.subarray(headerLength + AH_HEADER_LENGTH) };
}

export type AhVerdict = { readonly ok: true; readonly sequence: number } | { readonly ok: false; readonly reason: 'length' | 'icv' | 'spi' };

/**
 * keepalived's checks of a received AH datagram, in its order: the ICV (a wrong password, or bytes changed on the
 * way), then the SPI against the source address. The sequence number is the caller's to judge.
 */
export function verifyAhDatagram(datagram: Uint8Array, key: Uint8Array, unicast: boolean): AhVerdict {
  const opened = openAhDatagram(datagram);
  if (!opened.ok) return { ok: false, reason: 'length' };
  const icv = ahIcv(datagram, opened.headerLength, key, unicast);
  if (!timingSafeEqual(icv, opened.ah.icv)) return { ok: false, reason: 'icv' };
  if (opened.ah.spi !== u32(datagram, 12)) return { ok: false, reason: 'spi' };
  return { ok: true, sequence: opened.ah.sequence };
}
