/**
 * The simulator's clock: a discrete-event queue. A binary heap of (due time, sequence number)
 * (transport/timer-queue.ts) advances time to each event in turn, so every timer fires at exactly its own time,
 * ties in insertion order, in O(log n).
 * (XState's SimulatedClock jumps straight to the target time and re-sorts on every flush: not usable here; see
 * docs/design.md "Time and randomness".)
 */
import type { Clock, TimerId } from '../machines/clock.js';
import { TimerQueue } from '../transport/timer-queue.js';

export class VirtualClock implements Clock {
  private current = 0;
  private sequence = 0;
  private readonly queue = new TimerQueue();
  /** Timers run so far. */
  eventsRun = 0;

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    this.queue.add(id, this.current + (ms > 0 ? ms : 0), fn);
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.queue.cancel(id);
  }

  /** Timers still to run. */
  get pending(): number {
    return this.queue.size;
  }

  /** Due time of the next timer, if any. */
  peek(): number | undefined {
    return this.queue.peek();
  }

  /** Runs the next timer, advancing time to its due time. False when none is left. */
  step(): boolean {
    const due = this.queue.peek();
    if (due === undefined) return false;
    const fn = this.queue.shift()!;
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
}
