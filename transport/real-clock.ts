/** The daemon's clock: the event loop's timers and a monotonic time source. The one place they are used. */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerId } from './clock.js';

export interface RealClockOptions {
  /** How much of a precise timer's end runs on setImmediate (see setPreciseTimeout). */
  readonly spinMs?: number;
}

/** What fires a timer now: the event loop's timer first, then, for a precise one, its last stretch. */
type Pending = { readonly kind: 'timeout'; readonly handle: NodeJS.Timeout } | { readonly kind: 'immediate'; readonly handle: NodeJS.Immediate };

export class RealClock implements Clock {
  private readonly timers = new Map<number, Pending>();
  private sequence = 0;
  private readonly spinMs: number;

  constructor(options: RealClockOptions = {}) {
    this.spinMs = options.spinMs ?? 1.5;
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
   * Ends on time to some tens of microseconds: the event loop's own timers count whole milliseconds and fire up
   * to a millisecond or two late (or a fraction early). The last `spinMs` run by setImmediate, which costs at most
   * that much CPU per timer that fires; cancelled ones cost nothing. Never early, not even by a microsecond.
   */
  setPreciseTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    const deadline = performance.now() + ms;
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
    const pending = this.timers.get(id);
    if (pending === undefined) return;
    if (pending.kind === 'timeout') clearTimeout(pending.handle);
    else clearImmediate(pending.handle);
    this.timers.delete(id);
  }
}
