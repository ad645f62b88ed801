/** The daemon's clock: the event loop's timers and a monotonic time source. The one place they are used. */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerId } from './clock.js';

export interface RealClockOptions {
  /**
   * Timers of at least `preciseFromMs` end on time to some tens of microseconds: the event loop's own timers
   * count whole milliseconds and fire up to a millisecond or two late, and a backup's Master_Down_Timer /
   * Skew_Time is a failover's time (RFC 5798 §6.4.2). The last `spinMs` before such a deadline are run by
   * setImmediate, which costs at most that much CPU per timer that fires (cancelled ones cost nothing): 3% of a
   * core for a master sending every 50 ms, 0.15% at advert_int 1. Master_Down_Timer re-arms for what is left of
   * its deadline (machines/vrrp-timers.ts), and with advert_int 0.05 that last stretch can be 50 ms: hence 40 ms
   * by default. Off unless asked for: the checker worker's thousands of timers need no such care.
   */
  readonly precise?: { readonly preciseFromMs?: number; readonly spinMs?: number } | boolean;
}

/** What fires a timer now: the event loop's timer first, then, for a precise one, its last stretch. */
type Pending = { readonly kind: 'timeout'; readonly handle: NodeJS.Timeout } | { readonly kind: 'immediate'; readonly handle: NodeJS.Immediate };

export class RealClock implements Clock {
  private readonly timers = new Map<number, Pending>();
  private sequence = 0;
  private readonly preciseFromMs: number;
  private readonly spinMs: number;

  constructor(options: RealClockOptions = {}) {
    const precise = options.precise === true ? {} : options.precise || undefined;
    this.preciseFromMs = precise ? (precise.preciseFromMs ?? 40) : Number.POSITIVE_INFINITY;
    this.spinMs = precise?.spinMs ?? 1.5;
  }

  now(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    const fire = (): void => {
      this.timers.delete(id);
      fn();
    };
    if (!(ms >= this.preciseFromMs)) {
      this.timers.set(id, { kind: 'timeout', handle: setTimeout(fire, Math.max(0, ms)) });
      return id;
    }
    const deadline = performance.now() + ms;
    // Never early, not even by a microsecond: a caller that re-arms for what is left of its own deadline
    // (Master_Down_Timer) would otherwise get a whole event-loop millisecond for that microsecond.
    const finish = (): void => {
      if (performance.now() >= deadline) fire();
      else this.timers.set(id, { kind: 'immediate', handle: setImmediate(finish) });
    };
    this.timers.set(id, { kind: 'timeout', handle: setTimeout(finish, ms - this.spinMs) });
    return id;
  }

  clearTimeout(id: TimerId): void {
    const pending = this.timers.get(id);
    if (pending === undefined) return;
    if (pending.kind === 'timeout') clearTimeout(pending.handle);
    else clearImmediate(pending.handle);
    this.timers.delete(id);
  }
}
