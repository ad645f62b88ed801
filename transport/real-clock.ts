/** The daemon's clock: the event loop's timers and a monotonic time source. The one place they are used. */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerId } from './clock.js';

export class RealClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private sequence = 0;

  now(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.sequence;
    const handle = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms));
    this.timers.set(id, handle);
    return id;
  }

  clearTimeout(id: TimerId): void {
    const handle = this.timers.get(id);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.timers.delete(id);
  }
}
