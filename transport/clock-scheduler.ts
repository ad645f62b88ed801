/**
 * An RxJS scheduler on the Clock contract, so that RxJS time (timer, delay, debounceTime …) runs on the same
 * clock as the XState actors: the event loop in the daemon, the virtual clock in the simulator.
 */
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { Clock, TimerId } from '../machines/clock.js';

class ClockAction<T> extends Subscription implements SchedulerAction<T> {
  private timer: TimerId | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super(() => this.cancel());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.work.call(this, state);
    }, delay);
    return this;
  }

  private cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export class ClockScheduler implements SchedulerLike {
  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new ClockAction(this.clock, work).schedule(state, delay);
  }
}
