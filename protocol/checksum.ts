/** The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers VRRPv3 covers (RFC 5798 §5.2.8). */
import { VRRP_PROTOCOL } from './vrrp-types.js';

/** One's-complement sum of 16-bit words over several chunks (odd chunk lengths carry over), not yet inverted. */
function sum(chunks: readonly Uint8Array[]): number {
  let total = 0;
  let pending = -1;
  for (const chunk of chunks) {
    let i = 0;
    if (pending >= 0 && chunk.length > 0) {
      total += (pending << 8) | chunk[0]!;
      pending = -1;
      i = 1;
    }
    for (; i + 1 < chunk.length; i += 2) total += (chunk[i]! << 8) | chunk[i + 1]!;
    if (i < chunk.length) pending = chunk[i]!;
  }
  if (pending >= 0) total += pending << 8;
  while (total > 0xffff) total = (total & 0xffff) + (total >>> 16);
  return total;
}

export function internetChecksum(...chunks: Uint8Array[]): number {
  return ~sum(chunks) & 0xffff;
}

/** 16-bit words of `bytes` from `at`, an odd last byte as the high half of a word; added to `total`, not folded. */
function addWords(total: number, bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  for (; i + 1 < n; i += 2) total += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < n) total += bytes[i]! << 8;
  return total;
}

function fold(total: number): number {
  while (total > 0xffff) total = (total & 0xffff) + (total >>> 16);
  return ~total & 0xffff;
}

/** internetChecksum(bytes) with nothing made: the receive path checks every packet of a flood (issue 13). */
export function checksumOf(bytes: Uint8Array): number {
  return fold(addWords(0, bytes));
}

/**
 * internetChecksum(pseudoHeader(source, destination, message.length, protocol), message), with no pseudo-header
 * made: the same sum, word by word (the addresses are 4 or 16 bytes, so the message starts on a word).
 */
export function pseudoHeaderChecksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array, protocol: number = VRRP_PROTOCOL): number {
  const length = message.length;
  let total = addWords(addWords(0, source), destination);
  // IPv4 (RFC 768 layout): zero, protocol, 16-bit length. IPv6 (RFC 8200 §8.1): 32-bit length, zeros, next header.
  total += source.length === 4 ? protocol + (length & 0xffff) : ((length >>> 16) & 0xffff) + (length & 0xffff) + protocol;
  return fold(addWords(total, message));
}

/**
 * The pseudo-header for a message of `length` bytes between two addresses (4 or 16 bytes each): IPv4's
 * (RFC 768 layout) or IPv6's (RFC 8200 §8.1). `protocol` is VRRP (112) unless told otherwise (ICMPv6: 58).
 */
export function pseudoHeader(source: Uint8Array, destination: Uint8Array, length: number, protocol: number = VRRP_PROTOCOL): Uint8Array {
  if (source.length === 4) {
    const h = new Uint8Array(12);
    h.set(source, 0);
    h.set(destination, 4);
    h[9] = protocol;
    h[10] = length >> 8;
    h[11] = length & 0xff;
    return h;
  }
  const h = new Uint8Array(40);
  h.set(source, 0);
  h.set(destination, 16);
  h[32] = (length >>> 24) & 0xff;
  h[33] = (length >>> 16) & 0xff;
  h[34] = (length >>> 8) & 0xff;
  h[35] = length & 0xff;
  h[39] = protocol;
  return h;
}
