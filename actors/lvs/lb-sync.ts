/**
 * Joins the services of every virtual server into one desired state and hands it to the load-balancer backend.
 *
 * Changes are coalesced: a change schedules one flush on the injected clock after 0 ms, so a burst (thousands of
 * real servers failing together, a batch of reports from the checker worker) costs one computation and one
 * apply. On the virtual clock that flush still runs at the same virtual time, after the events already due then,
 * so the simulator's history keeps exact times. Each virtual server gives a function computing its services,
 * called only at flush time. Unchanged states are not re-applied.
 *
 * Real backends get one apply at a time (changes during an apply are flushed after it); the simulated backend
 * (`immediate`) is called at once, since its promise would settle only after the virtual clock has moved on.
 */
import type { Clock, TimerId } from '../../machines/clock.js';
import type { DesiredState, LbTimeouts, VirtualService } from '../../machines/desired-state.js';
import type { ApplyReport, LoadBalancerBackend } from '../../transport/lb/load-balancer.js';

export interface LoadBalancerSyncOptions {
  readonly immediate?: boolean;
  /** keepalived `lvs_timeouts`, part of every state applied. */
  readonly timeouts?: LbTimeouts | undefined;
  /** keepalived `lvs_flush`: the backend's whole table is flushed before the first apply (at start, not on reload). */
  readonly flushFirst?: boolean | undefined;
  readonly onApplied?: (report: ApplyReport) => void;
  readonly onError?: (error: unknown) => void;
}

export type ServicesOf = () => readonly VirtualService[];

export class LoadBalancerSync {
  private readonly parts = new Map<string, ServicesOf>();
  private lastSignature = JSON.stringify({ services: [] });
  private timer: TimerId | undefined;
  private applying: Promise<void> | undefined;
  private dirtyWhileApplying = false;
  private flushPending: boolean;
  /** While held (a checker side still being built), changes wait: a partial state would drop services. */
  private held = false;
  private changedWhileHeld = false;
  /** Applies made (for tests and status). */
  applies = 0;

  constructor(
    private readonly backend: LoadBalancerBackend,
    private readonly clock: Clock,
    private readonly options: LoadBalancerSyncOptions = {},
  ) {
    this.flushPending = options.flushFirst ?? false;
  }

  set(owner: string, services: ServicesOf): void {
    this.parts.set(owner, services);
    this.schedule();
  }

  delete(owner: string): void {
    if (this.parts.delete(owner)) this.schedule();
  }

  /**
   * Changes from here on wait for release(): the virtual servers of a configuration built a slice per turn are
   * applied together, so the kernel never sees a state with only the first slice's services.
   */
  hold(): void {
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.changedWhileHeld) {
      this.changedWhileHeld = false;
      this.schedule();
    }
  }

  state(): DesiredState {
    const services = [...this.parts.values()].flatMap((f) => f());
    return this.options.timeouts === undefined ? { services } : { services, timeouts: this.options.timeouts };
  }

  /** Applies what is pending now and resolves when everything set so far has been applied (held changes excepted). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.run();
    }
    while (this.applying !== undefined) await this.applying;
  }

  private schedule(): void {
    if (this.held) {
      this.changedWhileHeld = true;
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, 0);
  }

  private run(): void {
    if (this.options.immediate) {
      void this.applyLatest();
      return;
    }
    if (this.applying !== undefined) {
      this.dirtyWhileApplying = true;
      return;
    }
    this.applying = (async () => {
      do {
        this.dirtyWhileApplying = false;
        await this.applyLatest();
      } while (this.dirtyWhileApplying);
      this.applying = undefined;
    })();
  }

  private async applyLatest(): Promise<void> {
    const state = this.state();
    const signature = JSON.stringify(state);
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    this.applies++;
    try {
      if (this.flushPending) {
        this.flushPending = false;
        await this.backend.flush?.();
      }
      const report = await this.backend.apply(state);
      this.options.onApplied?.(report);
    } catch (error) {
      // Let the next change try again from scratch.
      this.lastSignature = '';
      this.options.onError?.(error);
    }
  }
}
