/**
 * The offset of a peer's clock from this one, estimated as NTP does (RFC 5905 §8, on-wire protocol; §10, clock
 * filter): this side reads its clock (t0), asks the peer for its clock (t1, read when it answers), reads its own
 * again when the answer is back (t3). The peer's clock read `t1` at about the middle of the exchange, so
 * offset = t1 − (t0 + t3) / 2 (peer minus here) and the error is at most half the round trip, δ / 2 with
 * δ = t3 − t0. Of the last few samples, the one with the shortest round trip is taken (the least queued).
 * A peer time T is this side's T − offset.
 */

export interface ClockSample {
  /** This clock before the request. */
  readonly t0: number;
  /** The peer's clock when it answered. */
  readonly t1: number;
  /** This clock when the answer was in. */
  readonly t3: number;
  /**
   * Wall-clock times, when both sides have them: the peer's (read with t1), and this host's wall clock minus this
   * clock (the same on both reads of a monotonic clock unless the wall clock was stepped).
   */
  readonly peerWall?: number | undefined;
  readonly localWallMinusClock?: number | undefined;
}

export interface OffsetEstimate {
  /** Peer clock minus this clock, ms. */
  readonly offsetMs: number;
  /** Round trip of the sample it came from: the offset is right to within half of it. */
  readonly rttMs: number;
  /** Samples it was chosen from. */
  readonly samples: number;
  /** The peer host's wall clock minus this host's, from the same sample (when both sides told theirs). */
  readonly wallOffsetMs?: number | undefined;
}

export class ClockOffsetEstimator {
  private readonly samples: ClockSample[] = [];

  /** `keep`: how many recent samples the estimate is chosen from (NTP's clock filter keeps 8). */
  constructor(private readonly keep = 8) {}

  add(sample: ClockSample): void {
    // A sample whose answer came before its question (a clock stepped back) says nothing.
    if (!(sample.t3 >= sample.t0) || !Number.isFinite(sample.t1)) return;
    this.samples.push(sample);
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /** Forgets every sample: the peer restarted, its clock is another one. */
  reset(): void {
    this.samples.length = 0;
  }

  estimate(): OffsetEstimate | undefined {
    let best: ClockSample | undefined;
    for (const s of this.samples) if (!best || s.t3 - s.t0 < best.t3 - best.t0) best = s;
    if (!best) return undefined;
    const middle = (best.t0 + best.t3) / 2;
    const estimate = { offsetMs: best.t1 - middle, rttMs: best.t3 - best.t0, samples: this.samples.length };
    if (best.peerWall === undefined || best.localWallMinusClock === undefined) return estimate;
    return { ...estimate, wallOffsetMs: best.peerWall - (middle + best.localWallMinusClock) };
  }
}
