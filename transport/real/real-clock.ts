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
  /**
   * Every pending timer, plain and precise, in deadline order. Whatever wakes the loop (a plain timer's own event
   * loop timer, or the waker) runs every timer then due, in that order: the event loop runs its timers before its
   * I/O (the timerfd) and setImmediate (the spinning waker), so on a loop that was held up a plain timer would
   * otherwise overtake an earlier precise one, or the other way round (the Clock contract, test/contract/).
   */
  private readonly timers = new TimerQueue();
  /** What wakes the loop for each plain timer: the event loop's timer, or setImmediate (nextTurn). */
  private readonly plain = new Map<number, NodeJS.Timeout | NodeJS.Immediate>();
  private sequence = 0;
  /** Precise deadlines alone: the waker is armed for the earliest (Infinity: disarmed). */
  private readonly precise = new TimerQueue();
  private armedFor = Infinity;
  private waker: Waker | undefined;
  /** Told when the loop runs a timer more than `afterMs` past its due time (max_auto_priority). */
  private lateness: { readonly afterMs: number; readonly late: (lateMs: number) => void } | undefined;

  constructor(private readonly options: RealClockOptions = {}) {}

  now(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    const delay = Math.max(0, ms);
    this.timers.add(id, performance.now() + delay, () => {
      this.unwake(id);
      fn();
    });
    this.plain.set(id, setTimeout(() => this.runDue(id), delay));
    return id;
  }

  /**
   * Due now, woken by setImmediate: the loop polls its I/O (the timerfd of a precise timer, packets) without
   * sleeping, then runs this with every timer due by then, in deadline order.
   */
  nextTurn(fn: () => void): TimerId {
    const id = ++this.sequence;
    this.timers.add(id, performance.now(), () => {
      this.unwake(id);
      fn();
    });
    this.plain.set(id, setImmediate(() => this.runDue(id)));
    return id;
  }

  /** A plain timer ran or went: what would wake the loop for it goes too. */
  private unwake(id: TimerId): void {
    const wake = this.plain.get(id);
    this.plain.delete(id);
    if (wake === undefined) return;
    if ('refresh' in wake) clearTimeout(wake);
    else clearImmediate(wake);
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
    this.timers.add(id, deadline, () => {
      this.precise.cancel(id);
      fn();
    });
    this.precise.add(id, deadline, noop);
    if (deadline < this.armedFor) this.arm(deadline);
    return id;
  }

  /**
   * Calls `late` whenever the earliest timer due runs more than `afterMs` late: the thread is not getting the CPU
   * soon enough (keepalived's scheduler checks the same on each wake-up, min_auto_priority_delay).
   */
  watchLateness(afterMs: number, late: (lateMs: number) => void): void {
    this.lateness = { afterMs, late };
  }

  clearTimeout(id: TimerId): void {
    if (!this.timers.cancel(id)) return;
    if (this.precise.cancel(id)) {
      // The waker follows the earliest live deadline, so a cancelled one neither wakes nor holds the loop.
      const next = this.precise.peek();
      if (next === undefined) this.disarm();
      else if (next > this.armedFor) this.arm(next);
      return;
    }
    this.unwake(id);
  }

  private openWaker(): Waker {
    if (this.waker === undefined) {
      const fire = (): void => this.runDue();
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

  /**
   * Runs every timer now due, in deadline order, then arms the waker for the next precise one. `trigger` is the
   * plain timer whose event-loop timer went off: it runs even if that was a fraction of a millisecond early.
   */
  private runDue(trigger?: TimerId): void {
    // The waker went off (no trigger): it is armed no more. A plain trigger leaves it armed; if the precise timer it
    // was armed for ran here, it wakes once for nothing and arms for the next.
    if (trigger === undefined) this.armedFor = Infinity;
    try {
      const now = performance.now();
      const earliest = this.timers.peek();
      if (this.lateness !== undefined && earliest !== undefined && now - earliest > this.lateness.afterMs) this.lateness.late(now - earliest);
      for (let due = this.timers.peek(); due !== undefined && due <= now; due = this.timers.peek()) this.timers.shift()!();
      if (trigger !== undefined) this.timers.take(trigger)?.();
    } finally {
      // Also after a timer threw: the others must still fire (a plain trigger not run yet gets a new loop timer).
      if (trigger !== undefined && this.plain.has(trigger)) this.plain.set(trigger, setTimeout(() => this.runDue(trigger), 0));
      const next = this.precise.peek();
      if (next !== undefined && next < this.armedFor) this.arm(next);
    }
  }
}

function noop(): void {}
