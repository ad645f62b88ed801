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

/** A record held, with its place in the order of arrival (equal times go out in that order). */
interface Held {
  readonly event: ObservedEvent;
  readonly arrival: number;
}

/** One source's held records, in time order (a peer's come in order; the site's own nearly so). */
class Queue {
  private items: Held[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  peek(): Held | undefined {
    return this.items[this.head];
  }

  shift(): Held {
    const item = this.items[this.head++]!;
    // Drop what went out once it is most of the array (amortised O(1)).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  add(item: Held): void {
    const items = this.items;
    if (this.size === 0 || items[items.length - 1]!.event.at <= item.event.at) {
      items.push(item);
      return;
    }
    // Out of order within the source: after every held record of the same time or earlier.
    let lo = this.head;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid]!.event.at <= item.event.at) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, item);
  }
}

export class MergeBuffer {
  /** Held records, a queue per source: going out is a merge of their heads, O(sources) a record. */
  private readonly queues = new Map<string, Queue>();
  /** Watermark of each source that holds records back (-Infinity: connecting, nothing heard yet). */
  private readonly watermarks = new Map<string, number>();
  private arrivals = 0;
  private held = 0;
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
    let queue = this.queues.get(source);
    if (!queue) {
      queue = new Queue();
      this.queues.set(source, queue);
    }
    queue.add({ event, arrival: this.arrivals++ });
    this.held++;
    if (this.watermarks.has(source)) this.advance(source, event.at);
    else this.flush();
  }

  /** Records held now. */
  get size(): number {
    return this.held;
  }

  /** The time up to which records may go out: the least watermark of the live sources. */
  private limit(): number {
    let w = Infinity;
    for (const t of this.watermarks.values()) if (t < w) w = t;
    return w;
  }

  private flush(): void {
    if (this.held === 0) return;
    const limit = this.limit();
    for (;;) {
      let best: Queue | undefined;
      let first: Held | undefined;
      for (const q of this.queues.values()) {
        const h = q.peek();
        if (h && (!first || h.event.at < first.event.at || (h.event.at === first.event.at && h.arrival < first.arrival))) {
          first = h;
          best = q;
        }
      }
      if (!best || !first || first.event.at > limit) return;
      best.shift();
      this.held--;
      this.released = Math.max(this.released, first.event.at);
      this.emit(first.event);
    }
  }
}
