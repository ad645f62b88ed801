/** The daemon's randomness, from the operating system. */
import { randomInt } from 'node:crypto';
import type { Random } from '../random.js';

export class RealRandom implements Random {
  next(): number {
    // crypto.randomInt wants max − min < 2^48.
    return randomInt(0, 2 ** 48 - 1) / 2 ** 48;
  }
}
