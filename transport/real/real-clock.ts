/** The daemon's clock: the event loop's timers and a monotonic time source. The one place they are used. */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerId } from '../../machines/clock.js';
import { TimerQueue } from '../timer-queue.js';
import { openPreciseTimer } from '../../native/index.js';

export interface RealClockOptions {
  /**
   * How precise timers wake the loop: a timerfd through the addon (the default when it loads), or the event loop's
   * own timer with the last `spinMs` run by setImmediate (the default without the addon).
   */
  readonly precision?: 'timerfd' | 'spin';
  /** How much of a spun precise timer's end runs on setImmediate. */
  readonly spinMs?: number;
}

/** What wakes the loop for the earliest precise deadline: one pending expiry at a time. */
interface Waker {
  arm(delayMs: number): void;
  disarm(): void;
}

/**
 * The waker without the addon: the event loop's timer until `spinMs` before the deadline, then setImmediate until
 * it is reached. Costs at most `spinMs` of CPU per expiry.
 */
function spinningWaker(spinMs: number, fire: () => void): Waker {
  let deadline = Infinity;
  let timeout: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const spin = (): void => {
    timeout = undefined;
    immediate = undefined;
    if (performance.now() < deadline) immediate = setImmediate(spin);
    else {
      deadline = Infinity;
      fire();
    }
  };
  const waker: Waker = {
    arm(delayMs) {
      waker.disarm();
      deadline = performance.now() + Math.max(0, delayMs);
      if (delayMs > spinMs) timeout = setTimeout(spin, delayMs - spinMs);
      else immediate = setImmediate(spin);
    },
    disarm() {
      if (timeout !== undefined) clearTimeout(timeout);
      if (immediate !== undefined) clearImmediate(immediate);
      timeout = undefined;
      immediate = undefined;
      deadline = Infinity;
    },
  };
  return waker;
}

export class RealClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private sequence = 0;
  /** Precise timers: their deadlines in one queue, the waker armed for the earliest (Infinity: disarmed). */
  private readonly precise = new TimerQueue();
  private armedFor = Infinity;
  private waker: Waker | undefined;

  constructor(private readonly options: RealClockOptions = {}) {}

  now(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        fn();
      }, Math.max(0, ms)),
    );
    return id;
  }

  /**
   * Ends on time to some tens of microseconds, never early: the event loop's own timers count whole milliseconds
   * and fire up to a millisecond or two late (or a fraction early). With the addon, a timerfd wakes the loop at
   * the deadline, at no CPU cost while waiting; without it, the last `spinMs` run by setImmediate. Either way the
   * timers wait in one queue and fire in deadline order; cancelled ones cost nothing.
   */
  setPreciseTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    const deadline = performance.now() + Math.max(0, ms);
    this.precise.add(id, deadline, fn);
    if (deadline < this.armedFor) this.arm(deadline);
    return id;
  }

  clearTimeout(id: TimerId): void {
    if (this.precise.cancel(id)) {
      // The waker follows the earliest live deadline, so a cancelled one neither wakes nor holds the loop.
      const next = this.precise.peek();
      if (next === undefined) this.disarm();
      else if (next > this.armedFor) this.arm(next);
      return;
    }
    const pending = this.timers.get(id);
    if (pending === undefined) return;
    clearTimeout(pending);
    this.timers.delete(id);
  }

  private openWaker(): Waker {
    if (this.waker === undefined) {
      const fire = (): void => this.fire();
      if (this.options.precision !== 'spin') {
        try {
          this.waker = openPreciseTimer(fire);
        } catch {
          // No addon (or one built before the timer): spin instead.
        }
      }
      this.waker ??= spinningWaker(this.options.spinMs ?? 1.5, fire);
    }
    return this.waker;
  }

  private arm(deadline: number): void {
    this.armedFor = deadline;
    this.openWaker().arm(deadline - performance.now());
  }

  private disarm(): void {
    this.armedFor = Infinity;
    this.waker?.disarm();
  }

  /** The waker went off: run every timer now due, in deadline order, then arm for the next. */
  private fire(): void {
    this.armedFor = Infinity;
    try {
      const now = performance.now();
      for (let due = this.precise.peek(); due !== undefined && due <= now; due = this.precise.peek()) this.precise.shift()!();
    } finally {
      // Also after a timer threw: the others must still fire.
      const next = this.precise.peek();
      if (next !== undefined && next < this.armedFor) this.arm(next);
    }
  }
}
