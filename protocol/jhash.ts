/**
 * The Linux kernel's jhash (include/linux/jhash.h: Bob Jenkins' lookup3, little-endian word loads as on x86) and
 * nftables' `jhash … mod M seed S` expression (net/netfilter/nft_hash.c: `reciprocal_scale(jhash(regs, len, seed),
 * M)`), so that vigil can say which slot the kernel picks for a flow: the Maglev map of transport/lb/ and the
 * simulator's directors hash flows with the same function the nftables rule runs.
 */

const JHASH_INITVAL = 0xdeadbeef;

const rol32 = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** jhash(key, key.length, initval), bit for bit as the kernel computes it. */
export function jhash(key: Uint8Array, initval = 0): number {
  let length = key.length;
  let a = (JHASH_INITVAL + length + initval) >>> 0;
  let b = a;
  let c = a;
  let k = 0;
  const word = (i: number): number => (key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)) >>> 0;
  while (length > 12) {
    a = (a + word(k)) >>> 0;
    b = (b + word(k + 4)) >>> 0;
    c = (c + word(k + 8)) >>> 0;
    // __jhash_mix
    a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c;
  const byte = (i: number): number => (i < length ? key[k + i]! : 0);
  a = (a + (byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24))) >>> 0;
  b = (b + (byte(4) | (byte(5) << 8) | (byte(6) << 16) | (byte(7) << 24))) >>> 0;
  c = (c + (byte(8) | (byte(9) << 8) | (byte(10) << 16) | (byte(11) << 24))) >>> 0;
  // __jhash_final
  c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  return c;
}

/** The kernel's reciprocal_scale(value, range): (value × range) >> 32, a value in [0, range). */
export function reciprocalScale(value: number, range: number): number {
  // The 64-bit product without BigInt: split the value in 16-bit halves (every partial product stays below 2^53).
  const v = value >>> 0;
  const r = range >>> 0;
  const high = (v >>> 16) * r;
  const low = Math.floor(((v & 0xffff) * r) / 65536);
  return Math.floor((high + low) / 65536);
}

/** nftables `jhash <data> mod <modulus> seed <seed>` over the registers' bytes of `data`. */
export function nftJhash(data: Uint8Array, modulus: number, seed = 0): number {
  return reciprocalScale(jhash(data, seed), modulus);
}

/**
 * The registers a concatenation fills (`ip saddr . th sport . …`): each field in network byte order, padded with
 * zeros to a multiple of 4 bytes (nft lays every field of a concatenation on 32-bit register boundaries).
 */
export function nftConcat(fields: readonly Uint8Array[]): Uint8Array {
  const padded = (n: number): number => (n + 3) & ~3;
  const out = new Uint8Array(fields.reduce((s, f) => s + padded(f.length), 0));
  let at = 0;
  for (const f of fields) {
    out.set(f, at);
    at += padded(f.length);
  }
  return out;
}
