/** The daemon's randomness, from the operating system. */
import { randomInt } from 'node:crypto';
import type { Random } from './random.js';

export class RealRandom implements Random {
  next(): number {
    return randomInt(0, 2 ** 48) / 2 ** 48;
  }
}
