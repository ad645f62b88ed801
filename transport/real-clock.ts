/** The daemon's clock: the event loop's timers and a monotonic time source. The one place they are used. */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerId } from './clock.js';
import { TimerQueue } from './timer-queue.js';
import { openPreciseTimer, type PreciseTimer } from '../native/index.js';

export interface RealClockOptions {
  /**
   * How precise timers wake the loop: a timerfd through the addon (the default when it loads), or the event loop's
   * own timer with the last `spinMs` run by setImmediate (the default without the addon).
   */
  readonly precision?: 'timerfd' | 'spin';
  /** How much of a spun precise timer's end runs on setImmediate. */
  readonly spinMs?: number;
}

/** What fires a timer now: the event loop's timer first, then, for a spun precise one, its last stretch. */
type Pending = { readonly kind: 'timeout'; readonly handle: NodeJS.Timeout } | { readonly kind: 'immediate'; readonly handle: NodeJS.Immediate };

/** Precise timers on one timerfd: their deadlines in a queue, the timerfd armed for the earliest. */
interface TimerfdTimers {
  readonly queue: TimerQueue;
  readonly timer: PreciseTimer;
  /** The deadline the timerfd is armed for (Infinity: disarmed). */
  armedFor: number;
}

export class RealClock implements Clock {
  private readonly timers = new Map<number, Pending>();
  private sequence = 0;
  private readonly spinMs: number;
  /** undefined: not opened yet; null: spinning instead (no addon, or asked to). */
  private timerfd: TimerfdTimers | null | undefined;

  constructor(options: RealClockOptions = {}) {
    this.spinMs = options.spinMs ?? 1.5;
    if (options.precision === 'spin') this.timerfd = null;
  }

  now(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    this.timers.set(id, {
      kind: 'timeout',
      handle: setTimeout(() => {
        this.timers.delete(id);
        fn();
      }, Math.max(0, ms)),
    });
    return id;
  }

  /**
   * Ends on time to some tens of microseconds, never early: the event loop's own timers count whole milliseconds
   * and fire up to a millisecond or two late (or a fraction early). With the addon, a timerfd wakes the loop at
   * the deadline, at no CPU cost while waiting; without it, the last `spinMs` run by setImmediate, which costs at
   * most that much CPU per timer that fires. Cancelled ones cost nothing either way.
   */
  setPreciseTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    const deadline = performance.now() + Math.max(0, ms);
    const fd = this.openTimerfd();
    if (fd !== null) {
      fd.queue.add(id, deadline, fn);
      if (deadline < fd.armedFor) this.arm(fd, deadline);
      return id;
    }
    const finish = (): void => {
      if (performance.now() >= deadline) {
        this.timers.delete(id);
        fn();
      } else {
        this.timers.set(id, { kind: 'immediate', handle: setImmediate(finish) });
      }
    };
    if (ms > this.spinMs) this.timers.set(id, { kind: 'timeout', handle: setTimeout(finish, ms - this.spinMs) });
    else this.timers.set(id, { kind: 'immediate', handle: setImmediate(finish) });
    return id;
  }

  clearTimeout(id: TimerId): void {
    const fd = this.timerfd;
    if (fd && fd.queue.cancel(id)) {
      // The timerfd follows the earliest live deadline, so a cancelled one neither wakes nor holds the loop.
      const next = fd.queue.peek();
      if (next === undefined) this.disarm(fd);
      else if (next > fd.armedFor) this.arm(fd, next);
      return;
    }
    const pending = this.timers.get(id);
    if (pending === undefined) return;
    if (pending.kind === 'timeout') clearTimeout(pending.handle);
    else clearImmediate(pending.handle);
    this.timers.delete(id);
  }

  private openTimerfd(): TimerfdTimers | null {
    if (this.timerfd === undefined) {
      try {
        const timers: TimerfdTimers = { queue: new TimerQueue(), timer: openPreciseTimer(() => this.fire(timers)), armedFor: Infinity };
        this.timerfd = timers;
      } catch {
        // No addon (or one built before the timer): spin instead.
        this.timerfd = null;
      }
    }
    return this.timerfd;
  }

  private arm(fd: TimerfdTimers, deadline: number): void {
    fd.armedFor = deadline;
    fd.timer.arm(deadline - performance.now());
  }

  private disarm(fd: TimerfdTimers): void {
    fd.armedFor = Infinity;
    fd.timer.disarm();
  }

  /** The timerfd expired: run every timer now due, in deadline order, then arm for the next. */
  private fire(fd: TimerfdTimers): void {
    fd.armedFor = Infinity;
    try {
      const now = performance.now();
      for (let due = fd.queue.peek(); due !== undefined && due <= now; due = fd.queue.peek()) fd.queue.shift()!();
    } finally {
      // Also after a timer threw: the others must still fire.
      const next = fd.queue.peek();
      if (next !== undefined && next < fd.armedFor) this.arm(fd, next);
    }
  }
}
