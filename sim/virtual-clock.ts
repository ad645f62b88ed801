/**
 * The simulator's clock: a discrete-event queue. A binary heap of (due time, sequence number) advances time to
 * each event in turn, so every timer fires at exactly its own time, ties in insertion order, in O(log n).
 * (XState's SimulatedClock jumps straight to the target time and re-sorts on every flush: not usable here; see
 * DESIGN.md "Time and randomness".) Cancelled timers are dropped lazily when they reach the top.
 */
import type { Clock, TimerId } from '../transport/clock.js';

export class VirtualClock implements Clock {
  private current = 0;
  private sequence = 0;
  // Parallel arrays make the heap cheap: no object per comparison.
  private dues: number[] = [];
  private seqs: number[] = [];
  private readonly callbacks = new Map<number, () => void>();
  /** Timers run so far. */
  eventsRun = 0;

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    const due = this.current + (ms > 0 ? ms : 0);
    this.callbacks.set(id, fn);
    this.push(due, id);
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.callbacks.delete(id);
  }

  /** Timers still to run. */
  get pending(): number {
    return this.callbacks.size;
  }

  /** Due time of the next timer, if any. */
  peek(): number | undefined {
    this.dropCancelled();
    return this.dues.length > 0 ? this.dues[0] : undefined;
  }

  /** Runs the next timer, advancing time to its due time. False when none is left. */
  step(): boolean {
    this.dropCancelled();
    if (this.dues.length === 0) return false;
    const due = this.dues[0]!;
    const id = this.pop();
    const fn = this.callbacks.get(id)!;
    this.callbacks.delete(id);
    this.current = due;
    this.eventsRun++;
    fn();
    return true;
  }

  /** Runs every timer due at or before `t` (also ones scheduled meanwhile), then sets the time to `t`. */
  runUntil(t: number): void {
    for (;;) {
      const next = this.peek();
      if (next === undefined || next > t) break;
      this.step();
    }
    if (t > this.current) this.current = t;
  }

  runFor(ms: number): void {
    this.runUntil(this.current + ms);
  }

  private dropCancelled(): void {
    while (this.seqs.length > 0 && !this.callbacks.has(this.seqs[0]!)) this.pop();
  }

  private less(i: number, j: number): boolean {
    const a = this.dues[i]!;
    const b = this.dues[j]!;
    return a < b || (a === b && this.seqs[i]! < this.seqs[j]!);
  }

  private swap(i: number, j: number): void {
    const d = this.dues[i]!;
    this.dues[i] = this.dues[j]!;
    this.dues[j] = d;
    const s = this.seqs[i]!;
    this.seqs[i] = this.seqs[j]!;
    this.seqs[j] = s;
  }

  private push(due: number, id: number): void {
    this.dues.push(due);
    this.seqs.push(id);
    let i = this.dues.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): number {
    const top = this.seqs[0]!;
    const lastDue = this.dues.pop()!;
    const lastSeq = this.seqs.pop()!;
    const n = this.dues.length;
    if (n > 0) {
      this.dues[0] = lastDue;
      this.seqs[0] = lastSeq;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < n && this.less(l, smallest)) smallest = l;
        if (r < n && this.less(r, smallest)) smallest = r;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }
}
