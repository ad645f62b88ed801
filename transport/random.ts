/**
 * Injected randomness. The simulator passes a seeded generator (sim/seeded-random.ts) so that a seed replays a run
 * byte for byte; the daemon passes one seeded from the OS.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}
