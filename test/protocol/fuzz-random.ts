/**
 * The random source of the fuzz tests: seeded from VIGIL_FUZZ_SEED, or else from the time and PID, and printed
 * either way so that a failing run can be replayed. Only exports.
 */
import { SeededRandom } from '../../sim/seeded-random.js';

export function fuzzRandom(): { readonly rnd: SeededRandom; readonly int: (n: number) => number } {
  const seed = process.env.VIGIL_FUZZ_SEED !== undefined ? Number(process.env.VIGIL_FUZZ_SEED) : (process.hrtime()[1] ^ process.pid) >>> 0;
  console.log(`# fuzz seed ${seed} (VIGIL_FUZZ_SEED=${seed} replays it)`);
  const rnd = new SeededRandom(seed);
  return { rnd, int: (n: number): number => Math.floor(rnd.next() * n) };
}

/**
 * 1 to 3 mutations of `bytes`, each one of: a bit flipped, the bytes cut short, 1 to `growMax` random bytes added,
 * or `rewrite` (a protocol's own field set at random; also what a bit flip of nothing becomes). Returns the result,
 * which may be a shorter view of `bytes` or a new array.
 */
export function mutate(bytes: Uint8Array, int: (n: number) => number, growMax: number, rewrite: (b: Uint8Array) => void): Uint8Array {
  let b = bytes;
  const mutations = 1 + int(3);
  for (let m = 0; m < mutations; m++) {
    const what = int(4);
    if (what === 0 && b.length > 0) b[int(b.length)] ^= 1 << int(8);
    else if (what === 1) b = b.subarray(0, int(b.length + 1));
    else if (what === 2) b = Uint8Array.from([...b, ...Array.from({ length: 1 + int(growMax) }, () => int(256))]);
    else rewrite(b);
  }
  return b;
}
