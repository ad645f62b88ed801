/**
 * Joins the services of every virtual server into one desired state and hands it to the load-balancer backend.
 *
 * Changes are coalesced: a change schedules one flush on the injected clock after 0 ms, so a burst (thousands of
 * real servers failing together, a batch of reports from the checker worker) costs one computation and one
 * apply. On the virtual clock that flush still runs at the same virtual time, after the events already due then,
 * so the simulator's history keeps exact times. Each virtual server gives a function computing its services,
 * called only at flush time, and only for the virtual servers that changed since the last flush: each one's
 * services and their signature are kept, so a flush after one real server changed costs that virtual server, not
 * all of them (with 2,000 checkers reporting in slices, recomputing and stringifying the whole state per slice held
 * the VRRP thread). Unchanged states are not re-applied.
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

/** One owner's part of the state: how to compute it, and what it was when last computed (a new one: nothing). */
interface Part {
  services: ServicesOf;
  computed: readonly VirtualService[];
  signature: string;
}

export class LoadBalancerSync {
  private readonly parts = new Map<string, Part>();
  /** Owners whose part must be computed again. */
  private readonly dirty = new Set<string>();
  /** An owner with services went since the last computation: the services are joined again. */
  private rejoin = false;
  /** The state as of the last computation, and whether it differs from the one last applied. */
  private current: DesiredState;
  private changed: boolean;
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
    this.current = options.timeouts === undefined ? { services: [] } : { services: [], timeouts: options.timeouts };
    // Nothing applied yet: the timeouts are something to apply even without services.
    this.changed = options.timeouts !== undefined;
  }

  set(owner: string, services: ServicesOf): void {
    const part = this.parts.get(owner);
    if (part === undefined) this.parts.set(owner, { services, computed: [], signature: '[]' });
    else part.services = services;
    this.dirty.add(owner);
    this.schedule();
  }

  delete(owner: string): void {
    const part = this.parts.get(owner);
    if (part === undefined) return;
    this.parts.delete(owner);
    this.dirty.delete(owner);
    if (part.computed.length > 0) this.rejoin = true;
    this.schedule();
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

  /** The desired state now: the changed owners' parts computed again, the others' as they were. */
  state(): DesiredState {
    let joined = this.rejoin;
    for (const owner of this.dirty) {
      const part = this.parts.get(owner);
      if (part === undefined) continue;
      const computed = part.services();
      const signature = JSON.stringify(computed);
      if (signature !== part.signature) joined = true;
      part.computed = computed;
      part.signature = signature;
    }
    this.dirty.clear();
    this.rejoin = false;
    if (joined) {
      const services: VirtualService[] = [];
      for (const part of this.parts.values()) for (const service of part.computed) services.push(service);
      this.current = this.options.timeouts === undefined ? { services } : { services, timeouts: this.options.timeouts };
      this.changed = true;
    }
    return this.current;
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
    if (!this.changed) return;
    this.changed = false;
    this.applies++;
    try {
      if (this.flushPending) {
        this.flushPending = false;
        await this.backend.flush?.();
      }
      const report = await this.backend.apply(state);
      this.options.onApplied?.(report);
    } catch (error) {
      // Let the next change try again (the state it computes then is applied even if it equals this one).
      this.changed = true;
      this.options.onError?.(error);
    }
  }
}
