/**
 * `interface_up_down_delays`: a link change is acted on only once it has lasted the interface's delay (keepalived
 * 2.2.7 keepalived_netlink.c update_interface_flags). A change back before the delay is over cancels the pending
 * one, and nothing happens; a repeat of the pending change leaves its timer alone. An interface that has never
 * been seen up comes up at once (keepalived's `seen_up`), and one without delays changes at once. Timers run on
 * the injected Clock.
 */
import type { Clock, TimerId } from '../../machines/clock.js';

/** Delays of one interface, in milliseconds (0 = at once). */
export interface InterfaceDelaySpec {
  readonly interface: string;
  readonly downMs: number;
  readonly upMs: number;
}

/**
 * A delay must stay below (down_timer_adverts - 1) advertisement intervals, else a backup would take over before
 * its master's link change is acted on: keepalived (vrrp.c check_debounce_timers) cuts it to that less 1/256 of
 * an interval, and to 0 with down_timer_adverts 1.
 */
export function capDelay(delayMs: number, downTimerAdverts: number, advertMs: number): number {
  const limit = (downTimerAdverts - 1) * advertMs;
  return delayMs >= limit ? Math.max(0, limit - advertMs / 256) : delayMs;
}

export class LinkDebounce {
  /** The link state last acted on, by interface. */
  private readonly acted = new Map<string, boolean>();
  private readonly seenUp = new Set<string>();
  private readonly pending = new Map<string, { readonly up: boolean; readonly timer: TimerId }>();
  private delays = new Map<string, InterfaceDelaySpec>();

  constructor(
    private readonly clock: Clock,
    /** The link state now, for an interface not heard of yet. */
    private readonly isUp: (interfaceName: string) => boolean,
    /** Acts on a change (the instances tracking the interface hear it). */
    private readonly act: (interfaceName: string, up: boolean) => void,
  ) {}

  /** The delays in force (a reload may change them; a pending change keeps the delay it started with). */
  setDelays(delays: readonly InterfaceDelaySpec[]): void {
    this.delays = new Map(delays.map((d) => [d.interface, d]));
  }

  /**
   * An instance on the interface learnt a shorter advertisement interval from its master: keepalived
   * (update_master_adver_int) cuts the interface's delays again, for good (until a reload sets them anew).
   */
  cap(interfaceName: string, downTimerAdverts: number, advertMs: number): void {
    const d = this.delays.get(interfaceName);
    if (d === undefined) return;
    this.delays.set(interfaceName, { ...d, downMs: capDelay(d.downMs, downTimerAdverts, advertMs), upMs: capDelay(d.upMs, downTimerAdverts, advertMs) });
  }

  /** The link state acted on: what the instances have been told. */
  state(interfaceName: string): boolean {
    const known = this.acted.get(interfaceName);
    if (known !== undefined) return known;
    const up = this.isUp(interfaceName);
    this.acted.set(interfaceName, up);
    if (up) this.seenUp.add(interfaceName);
    return up;
  }

  /** A link event from the address manager. */
  event(interfaceName: string, up: boolean): void {
    const was = this.acted.get(interfaceName);
    const waiting = this.pending.get(interfaceName);
    if (waiting !== undefined) {
      if (waiting.up === up) return;
      // Back to the state acted on: the pending change is dropped.
      this.clock.clearTimeout(waiting.timer);
      this.pending.delete(interfaceName);
    }
    if (was === up) return;
    const delay = this.delays.get(interfaceName);
    const ms = delay === undefined ? 0 : up ? delay.upMs : delay.downMs;
    if (was !== undefined && this.seenUp.has(interfaceName) && ms > 0) {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(interfaceName);
        this.apply(interfaceName, up);
      }, ms);
      this.pending.set(interfaceName, { up, timer });
      return;
    }
    this.apply(interfaceName, up);
  }

  /** A state read by polling (linkbeat): acted on at once if it differs, whatever is pending. */
  force(interfaceName: string, up: boolean): void {
    const waiting = this.pending.get(interfaceName);
    if (waiting !== undefined) {
      this.clock.clearTimeout(waiting.timer);
      this.pending.delete(interfaceName);
    }
    if (this.state(interfaceName) !== up) this.apply(interfaceName, up);
  }

  /** Cancels every pending change. */
  close(): void {
    for (const { timer } of this.pending.values()) this.clock.clearTimeout(timer);
    this.pending.clear();
  }

  private apply(interfaceName: string, up: boolean): void {
    this.acted.set(interfaceName, up);
    if (up) this.seenUp.add(interfaceName);
    this.act(interfaceName, up);
  }
}
