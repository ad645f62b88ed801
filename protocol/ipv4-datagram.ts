/**
 * A whole IPv4 datagram around a VRRP message, as keepalived builds it for its IP_HDRINCL socket (vrrp.c
 * vrrp_build_ip4): a 20-byte header with TOS 0xc0 (internetwork control), no identification, no flags, the TTL
 * given, protocol 112. A socket sends the TTL it is given this way even when it is 0 (`unicast_ttl 0`), which
 * IP_TTL refuses. The kernel rewrites the total length and header checksum of such a send (and picks an
 * identification for a 0); length and checksum are filled here too, so that a simulated link carries them.
 */
import { internetChecksum } from './checksum.js';
import { parseIpv4 } from './ip.js';
import { VRRP_PROTOCOL } from './vrrp-types.js';

export const IPV4_HEADER_LENGTH = 20;
/** IPTOS_PREC_INTERNETCONTROL. */
const TOS_INTERNET_CONTROL = 0xc0;

export interface Ipv4DatagramParams {
  /** '' or 0.0.0.0: the kernel picks the source of an IP_HDRINCL send. */
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
}

export function ipv4Datagram(vrrp: Uint8Array, p: Ipv4DatagramParams): Uint8Array {
  const source = p.source === '' ? new Uint8Array(4) : parseIpv4(p.source);
  const destination = parseIpv4(p.destination);
  if (!source || !destination) throw new RangeError(`not IPv4 addresses: ${p.source} → ${p.destination}`);
  if (!Number.isInteger(p.ttl) || p.ttl < 0 || p.ttl > 255) throw new RangeError(`TTL ${p.ttl} is not 0..255`);
  const length = IPV4_HEADER_LENGTH + vrrp.length;
  const out = new Uint8Array(length);
  out[0] = 0x45;
  out[1] = TOS_INTERNET_CONTROL;
  out[2] = length >> 8;
  out[3] = length & 0xff;
  out[8] = p.ttl;
  out[9] = VRRP_PROTOCOL;
  out.set(source, 12);
  out.set(destination, 16);
  const checksum = internetChecksum(out.subarray(0, IPV4_HEADER_LENGTH));
  out[10] = checksum >> 8;
  out[11] = checksum & 0xff;
  out.set(vrrp, IPV4_HEADER_LENGTH);
  return out;
}
