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
