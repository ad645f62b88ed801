/**
 * Address ranges of a `virtual_server_group` (`10.0.0.1-10`, `A-B`, `A/nn`, read by config/keywords/vs-group.ts
 * into a first and a last address): their size and their addresses, counted over the whole address.
 */
import { formatIp, parseIp } from './ip.js';

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBigInt(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** How many addresses `first`..`last` holds (inclusive); 0 when they are not one family or run backwards. */
export function addressRangeSize(first: string, last: string): bigint {
  const a = parseIp(first);
  const b = parseIp(last);
  if (!a || !b || a.length !== b.length) return 0n;
  const size = toBigInt(b) - toBigInt(a) + 1n;
  return size > 0n ? size : 0n;
}

/** The addresses `first`..`last` (inclusive), in canonical text. */
export function expandAddressRange(first: string, last: string): string[] {
  const a = parseIp(first);
  const size = addressRangeSize(first, last);
  if (!a || size === 0n) return [];
  const start = toBigInt(a);
  const out: string[] = [];
  for (let i = 0n; i < size; i++) out.push(formatIp(fromBigInt(start + i, a.length)));
  return out;
}
