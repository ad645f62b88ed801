/**
 * Ethernet frames the announcer sends through AF_PACKET, as pure functions (bytes only, no I/O).
 * The checksum is protocol/checksum.ts's, with the ICMPv6 pseudo-header.
 */
import { internetChecksum, pseudoHeader } from './checksum.js';
import { ipv4ToBytes, ipv6ToBytes } from './ip-bytes.js';

const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ICMPV6_NEXT_HEADER = 58;
const ND_NEIGHBOR_ADVERT = 136;
const ND_OPT_TARGET_LL_ADDR = 2;
/** RFC 4861 §7.1.2: ND messages must arrive with hop limit 255. */
const ND_HOP_LIMIT = 255;
const BROADCAST_MAC = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
/** ff02::1 (all nodes) maps to 33:33:00:00:00:01 (RFC 2464 §7). */
const ALL_NODES_MAC = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);
// ff02::1 as bytes, written out: parsing it at load would compile node:net's IPv6 pattern (~3 ms of every start).
const ALL_NODES = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

function checkMac(mac: Uint8Array): void {
  if (mac.length !== 6) throw new Error(`MAC must be 6 bytes, got ${mac.length}`);
}

function ethernetHeader(frame: Uint8Array, destination: Uint8Array, source: Uint8Array, ethertype: number): void {
  frame.set(destination, 0);
  frame.set(source, 6);
  frame[12] = ethertype >> 8;
  frame[13] = ethertype & 0xff;
}

/**
 * Gratuitous ARP as keepalived sends it: an ARP request to broadcast with sender = target = the address, sender
 * MAC = ours, target MAC = broadcast (RFC 5798 §6.4.2; RFC 5227 §3). 42 bytes, the NIC pads on the wire.
 */
export function buildGratuitousArp(mac: Uint8Array, address: string): Uint8Array {
  checkMac(mac);
  const ip = ipv4ToBytes(address);
  const frame = new Uint8Array(42);
  ethernetHeader(frame, BROADCAST_MAC, mac, ETHERTYPE_ARP);
  const arp = 14;
  frame.set([0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01], arp); // Ethernet, IPv4, hlen 6, plen 4, op request
  frame.set(mac, arp + 8);
  frame.set(ip, arp + 14);
  frame.set(BROADCAST_MAC, arp + 18);
  frame.set(ip, arp + 24);
  return frame;
}

/** ICMPv6 checksum over the IPv6 pseudo-header (RFC 8200 §8.1) and the message (checksum field zero). */
export function icmpv6Checksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  return internetChecksum(pseudoHeader(source, destination, message.length, ICMPV6_NEXT_HEADER), message);
}

export interface UnsolicitedNaOptions {
  /** Router flag (keepalived sets it when the interface forwards IPv6). Default false. */
  readonly router?: boolean;
}

/**
 * Unsolicited neighbour advertisement (RFC 4861 §7.2.6) as keepalived sends it: from the address itself to
 * ff02::1, hop limit 255, Override set, Solicited clear, with a target link-layer address option. 86 bytes.
 */
export function buildUnsolicitedNa(mac: Uint8Array, address: string, options: UnsolicitedNaOptions = {}): Uint8Array {
  checkMac(mac);
  const target = ipv6ToBytes(address);
  const icmpLength = 24 + 8; // NA header with target, one 8-byte option
  const frame = new Uint8Array(14 + 40 + icmpLength);
  ethernetHeader(frame, ALL_NODES_MAC, mac, ETHERTYPE_IPV6);
  const ip = 14;
  frame[ip] = 0x60; // version 6, traffic class 0, flow label 0
  frame[ip + 4] = icmpLength >> 8;
  frame[ip + 5] = icmpLength & 0xff;
  frame[ip + 6] = ICMPV6_NEXT_HEADER;
  frame[ip + 7] = ND_HOP_LIMIT;
  frame.set(target, ip + 8); // source: the advertised address
  frame.set(ALL_NODES, ip + 24);
  const icmp = ip + 40;
  frame[icmp] = ND_NEIGHBOR_ADVERT;
  frame[icmp + 4] = (options.router === true ? 0x80 : 0) | 0x20; // R, S=0, O=1
  frame.set(target, icmp + 8);
  frame[icmp + 24] = ND_OPT_TARGET_LL_ADDR;
  frame[icmp + 25] = 1; // length in units of 8 bytes
  frame.set(mac, icmp + 26);
  const checksum = icmpv6Checksum(target, ALL_NODES, frame.subarray(icmp));
  frame[icmp + 2] = checksum >> 8;
  frame[icmp + 3] = checksum & 0xff;
  return frame;
}
