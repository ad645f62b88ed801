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
 * Slots per backend, and the smallest table. The paper asks for M ≥ 100 × N. What a lost backend moves besides its own
 * slots (with maglevPermutations) shrinks as M grows but is uneven from pool to pool. Over every removal of one of N
 * consecutive addresses 192.168.77.x:8080 (976 removals at N = 4, 2,380 at N = 10), mean / worst extra: N = 4 at
 * 1,031 slots (256 × N) 0.94 % / 5.8 %, at 8,191 0.25 % / 1.6 %; N = 10 at 2,579 1.5 % / 4.2 %, at 8,191 0.76 % / 2.0 %;
 * N = 30 at 7,681 (256 × N) 1.3 % / 1.9 %. So tables have at least 8,191 slots, and 256 × N beyond that (a larger
 * minimum costs a map element per slot in every director's ruleset, and did not lower the worst case further).
 */
export const MAGLEV_MIN_SIZE = 8_191;
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

/** The table size for `backends` backends: the smallest prime ≥ 256 × backends, and at least 8,191. */
export function maglevTableSize(backends: number): number {
  return nextPrime(Math.max(MAGLEV_MIN_SIZE, MAGLEV_SLOTS_PER_BACKEND * Math.max(1, backends)));
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

/**
 * The permutation parameters of a configured pool, by name. Two backends with the same skip walk the table in
 * lockstep, and losing one of them then moves many of the other's flows too (a pool of 4 at 1,031 slots: 20 % moved
 * besides the lost backend's own 25 %). So, in name order, a backend whose skip an earlier one has is drawn again
 * with the next seed. Computed from the configured pool, not the live one, so a failure changes no permutation;
 * every director has the same configuration, so every director the same table.
 */
export function maglevPermutations(names: readonly string[], size: number): Map<string, { offset: number; skip: number }> {
  const out = new Map<string, { offset: number; skip: number }>();
  const skips = new Set<number>();
  for (const name of [...new Set(names)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
    const bytes = encoder.encode(name);
    const p = maglevPermutation(name, size);
    // size − 1 skips exist; past that many backends a repeat cannot be avoided.
    for (let k = 1; skips.has(p.skip) && skips.size < size - 1; k++) p.skip = (jhash(bytes, (MAGLEV_SKIP_SEED + k) >>> 0) % (size - 1)) + 1;
    skips.add(p.skip);
    out.set(name, p);
  }
  return out;
}

/**
 * Builds the lookup table of `size` slots (a prime) over the backends with a weight above 0. `permutations` (from
 * maglevPermutations over the configured pool) is used where it names a backend; others get maglevPermutation's.
 */
export function buildMaglevTable(
  backends: readonly MaglevBackend[],
  size: number,
  permutations?: ReadonlyMap<string, { readonly offset: number; readonly skip: number }>,
): MaglevTable {
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
    const p = permutations?.get(b.name) ?? maglevPermutation(b.name, size);
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
