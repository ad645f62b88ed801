/**
 * Merges the records of several sources (the peers of a site) into one stream in time order, as a stream
 * processor merges by watermarks: each live source has a watermark (the latest time it has told of: a record,
 * or a tick while idle), and a held record goes out once every live source's watermark has passed it, so a
 * record from a slower peer still takes its place among the others'. A source that is not live (unreachable)
 * holds nothing back; one still connecting does, until it is live or given up (the peer link's timeouts bound
 * that). A record older than what already went out (a peer's backlog after a reconnection) goes out at once,
 * out of order, and is counted: the page's lanes are per node, and each node's records stay in order.
 *
 * Pure: no clock of its own; times are the site's.
 */
import type { ObservedEvent } from '../observed-event.js';

export class MergeBuffer {
  /** Held records in time order (equal times in arrival order). */
  private readonly held: ObservedEvent[] = [];
  /** Watermark of each source that holds records back (-Infinity: connecting, nothing heard yet). */
  private readonly watermarks = new Map<string, number>();
  /** Time of the last record that went out. */
  released = -Infinity;
  /** Records that came after later ones had gone out, by source. */
  readonly late = new Map<string, number>();

  constructor(private readonly emit: (e: ObservedEvent) => void) {}

  /** The source holds records back from now on (connecting: nothing heard yet). */
  hold(source: string): void {
    if (!this.watermarks.has(source)) this.watermarks.set(source, -Infinity);
  }

  /** The source holds nothing back any more (unreachable, removed). */
  release(source: string): void {
    this.watermarks.delete(source);
    this.flush();
  }

  /** The source has told of everything up to `t`. */
  advance(source: string, t: number): void {
    const w = this.watermarks.get(source);
    if (w === undefined || t <= w) return;
    this.watermarks.set(source, t);
    this.flush();
  }

  /** A record of `source` (its time already on the site's clock); it also advances the source's watermark. */
  push(source: string, event: ObservedEvent): void {
    if (event.at < this.released) {
      this.late.set(source, (this.late.get(source) ?? 0) + 1);
      this.emit(event);
      return;
    }
    // After every held record of the same time or earlier.
    let lo = 0;
    let hi = this.held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.held[mid]!.at <= event.at) lo = mid + 1;
      else hi = mid;
    }
    this.held.splice(lo, 0, event);
    if (this.watermarks.has(source)) this.advance(source, event.at);
    else this.flush();
  }

  /** Records held now. */
  get size(): number {
    return this.held.length;
  }

  /** The time up to which records may go out: the least watermark of the live sources. */
  private limit(): number {
    let w = Infinity;
    for (const t of this.watermarks.values()) if (t < w) w = t;
    return w;
  }

  private flush(): void {
    const limit = this.limit();
    let n = 0;
    while (n < this.held.length && this.held[n]!.at <= limit) n++;
    if (n === 0) return;
    const out = this.held.splice(0, n);
    for (const e of out) {
      this.released = Math.max(this.released, e.at);
      this.emit(e);
    }
  }
}
