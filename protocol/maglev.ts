/**
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI
 * 2016, §3.4): a lookup table of M slots (M prime) filled from each backend's permutation of the slots, offset =
 * h1(name) mod M and skip = h2(name) mod (M − 1) + 1, the backends taking turns to claim their next free
 * preferred slot. Every director that builds the table from the same pool gets the same table, so a flow hashed
 * into it picks the same backend whichever director the router sends it to; losing one of N backends moves
 * about 1/N of the slots.
 *
 * Determinism: backends are taken in the order of their names (not the order of the configuration), the two
 * hashes are the kernel's jhash of the name with two fixed seeds. Weights follow the weighted variant IPVS's mh
 * scheduler implements (net/netfilter/ipvs/ip_vs_mh.c): in each round a backend claims weight / gcd slots in a
 * row instead of one, so its share of the table is its share of the weights.
 */
import { jhash } from './jhash.js';

export interface MaglevBackend {
  /** The backend's stable name (vigil uses `address:port`); it alone decides the backend's permutation. */
  readonly name: string;
  /** 0 = not in the table. */
  readonly weight: number;
}

export interface MaglevTable {
  /** The backends with a weight above 0, in the table's canonical order (by name). */
  readonly backends: readonly MaglevBackend[];
  /** slot → index into `backends`; every slot is filled when there is a backend, all −1 otherwise. */
  readonly slots: Int32Array;
  /** The slots each backend claims per round (its weight / gcd of the weights, scaled down when needed). */
  readonly turns: readonly number[];
}

/** The seeds of h1 (offset) and h2 (skip): fixed, so that every director computes the same permutations. */
export const MAGLEV_OFFSET_SEED = 0x4d41474c; // "MAGL"
export const MAGLEV_SKIP_SEED = 0x45563031; // "EV01"

/**
 * Slots per backend. The paper asks for M ≥ 100 × N; vigil takes 256 × N: losing one of N backends moves its own
 * slots plus about 2.5 × N / M of the table besides (measured, test/protocol/maglev.test.ts), which 256 keeps near
 * 1 %, below the 2 % the ECMP invariant of sim/ allows.
 */
export const MAGLEV_SLOTS_PER_BACKEND = 256;

/** The largest table vigil builds (2^24 − 3, a prime; IPVS mh defaults to 65,521 slots). */
export const MAGLEV_MAX_SIZE = 16_777_213;

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** The smallest prime ≥ n. */
export function nextPrime(n: number): number {
  let p = Math.max(2, Math.ceil(n));
  while (!isPrime(p)) p++;
  return p;
}

/** The table size for `backends` backends: the smallest prime ≥ 256 × backends (at least 257). */
export function maglevTableSize(backends: number): number {
  return nextPrime(MAGLEV_SLOTS_PER_BACKEND * Math.max(1, backends));
}

const encoder = new TextEncoder();
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The backend's permutation parameters in a table of `size` slots. */
export function maglevPermutation(name: string, size: number): { offset: number; skip: number } {
  const bytes = encoder.encode(name);
  return { offset: jhash(bytes, MAGLEV_OFFSET_SEED) % size, skip: (jhash(bytes, MAGLEV_SKIP_SEED) % (size - 1)) + 1 };
}

/**
 * The turns of each backend: weight / gcd, halved (rounding, never below 1) until one round fits in the table, as
 * IPVS mh shifts weights down.
 */
function turnsOf(weights: readonly number[], size: number): number[] {
  const divisor = weights.reduce(gcd);
  let turns = weights.map((w) => w / divisor);
  // Stops at one turn each: a table with fewer slots than backends leaves the last ones out, as any Maglev table.
  for (let shift = 1; turns.reduce((a, b) => a + b, 0) > size && turns.some((t) => t > 1); shift++) {
    turns = weights.map((w) => Math.max(1, Math.floor(w / divisor / 2 ** shift)));
  }
  return turns;
}

/** Builds the lookup table of `size` slots (a prime) over the backends with a weight above 0. */
export function buildMaglevTable(backends: readonly MaglevBackend[], size: number): MaglevTable {
  if (!isPrime(size) || size > MAGLEV_MAX_SIZE) throw new Error(`Maglev table size ${size} is not a prime ≤ ${MAGLEV_MAX_SIZE}`);
  const names = new Set<string>();
  for (const b of backends) {
    if (names.has(b.name)) throw new Error(`Maglev backend ${b.name} given twice`);
    names.add(b.name);
    if (!Number.isInteger(b.weight) || b.weight < 0) throw new Error(`Maglev backend ${b.name}: bad weight ${b.weight}`);
  }
  const live = backends.filter((b) => b.weight > 0).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const slots = new Int32Array(size).fill(-1);
  if (live.length === 0) return { backends: live, slots, turns: [] };
  const turns = turnsOf(live.map((b) => b.weight), size);
  const next = new Float64Array(live.length);
  const skip = new Float64Array(live.length);
  live.forEach((b, i) => {
    const p = maglevPermutation(b.name, size);
    next[i] = p.offset;
    skip[i] = p.skip;
  });
  let filled = 0;
  for (;;) {
    for (let i = 0; i < live.length; i++) {
      for (let t = 0; t < turns[i]!; t++) {
        let c = next[i]!;
        while (slots[c] !== -1) {
          c += skip[i]!;
          if (c >= size) c -= size;
        }
        slots[c] = i;
        next[i] = c;
        if (++filled === size) return { backends: live, slots, turns };
      }
    }
  }
}

/** The fraction of slots whose backend (by name) differs between two tables of the same size. */
export function maglevDisruption(before: MaglevTable, after: MaglevTable): number {
  if (before.slots.length !== after.slots.length) throw new Error('tables of different sizes');
  let moved = 0;
  for (let s = 0; s < before.slots.length; s++) {
    const a = before.slots[s]!;
    const b = after.slots[s]!;
    const nameA = a < 0 ? undefined : before.backends[a]!.name;
    const nameB = b < 0 ? undefined : after.backends[b]!.name;
    if (nameA !== nameB) moved++;
  }
  return moved / before.slots.length;
}
