/**
 * What `vigil run` tells its service manager (systemd `Type=notify`, packaging/vigil.service) and when:
 *
 * - READY=1 once the daemon has started (every VRRP socket open, every instance's machine running and so able to
 *   send its first advertisement, the checker side loaded), its signal handlers are in place (a `systemctl reload`
 *   right after start must reload, not kill it) and its status socket answers: from then on `vigil status` works.
 * - RELOADING=1 when a SIGHUP's reload begins, READY=1 when it is over, whether the new configuration runs or was
 *   rejected (then the STATUS= line says so); coalesced SIGHUPs are one reload for systemd.
 * - STOPPING=1 when SIGTERM / SIGINT begins the stop (after the priority-0 advertisements have gone out).
 * - STATUS= lines: the phase, then the instances by state and the virtual servers, refreshed on each transition.
 * - WATCHDOG=1 every quarter of WatchdogSec, from the VRRP thread's own event loop and on the clock its VRRP timers
 *   run on: a thread stalled for more than three quarters of WatchdogSec may miss the deadline, one stalled for all
 *   of it always does, and systemd then kills and restarts the daemon (which removes the VIPs it left behind).
 *   The pings run from the first moment, start-up included, until the process exits.
 */
import type { Subscription } from 'rxjs';
import type { Clock, TimerId } from '../../machines/clock.js';
import type { ServiceManager } from '../../transport/service-manager.js';
import type { Bus } from '../bus.js';
import type { ReloadResult, VigilDaemon } from './daemon.js';

/** Pings per watchdog timeout. */
export const PINGS_PER_WATCHDOG_TIMEOUT = 4;
/** Transitions within this long are one STATUS= line (a flapping peer is not a datagram storm). */
export const STATUS_COALESCE_MS = 100;

/** "3 VRRP instance(s): 1 MASTER, 2 BACKUP; 2 virtual server(s)" */
export function describeDaemon(daemon: Pick<VigilDaemon, 'assembly'>): string {
  const assembly = daemon.assembly;
  if (!assembly) return 'no configuration running';
  const byState = new Map<string, number>();
  for (const runner of assembly.node.runners.values()) byState.set(runner.state, (byState.get(runner.state) ?? 0) + 1);
  const states = [...byState].sort(([a], [b]) => a.localeCompare(b)).map(([state, n]) => `${n} ${state}`);
  const instances = [...byState.values()].reduce((a, b) => a + b, 0);
  return `${instances} VRRP instance(s)${states.length > 0 ? `: ${states.join(', ')}` : ''}; ${assembly.virtualServerCount} virtual server(s)`;
}

export class ServiceLiveness {
  private ping: TimerId | undefined;
  private refresh: TimerId | undefined;
  private running = false;
  private closed = false;
  private lastStatus = '';
  private transitions: Subscription | undefined;

  constructor(
    private readonly manager: ServiceManager,
    private readonly clock: Clock,
    private readonly describe: () => string,
  ) {
    const timeout = manager.watchdogMs;
    if (timeout !== undefined && timeout > 0) this.pingEvery(timeout / PINGS_PER_WATCHDOG_TIMEOUT);
  }

  /** Start-up begins. */
  starting(configFile: string): void {
    this.status(`starting from ${configFile}`);
  }

  /** Start-up is over (see the module's comment for the exact point). Follows `bus` for STATUS= refreshes. */
  ready(bus: Bus): void {
    this.running = true;
    this.lastStatus = this.describe();
    this.manager.ready(this.lastStatus);
    this.transitions ??= bus.messages$.subscribe((m) => {
      if (m.kind === 'transition') this.changed();
    });
  }

  reloading(configFile: string): void {
    this.running = false;
    this.lastStatus = `reloading ${configFile}`;
    this.manager.reloading(this.lastStatus);
  }

  reloaded(result: ReloadResult | { readonly ok: false; readonly error: string }): void {
    this.running = true;
    const now = this.describe();
    this.lastStatus = result.ok ? now : `reload rejected, the running configuration stays (${result.error}); ${now}`;
    this.manager.ready(this.lastStatus);
  }

  stopping(signal: string): void {
    this.running = false;
    this.lastStatus = `stopping (${signal}): priority 0 from masters, addresses released`;
    this.manager.stopping(this.lastStatus);
  }

  /** Everything stops: no more pings or STATUS= lines. */
  close(): void {
    this.closed = true;
    this.running = false;
    this.transitions?.unsubscribe();
    if (this.ping !== undefined) this.clock.clearTimeout(this.ping);
    if (this.refresh !== undefined) this.clock.clearTimeout(this.refresh);
    this.ping = this.refresh = undefined;
  }

  private status(text: string): void {
    this.lastStatus = text;
    this.manager.status(text);
  }

  /** An instance changed state: one STATUS= line for the transitions of the next STATUS_COALESCE_MS. */
  private changed(): void {
    if (this.refresh !== undefined || this.closed) return;
    this.refresh = this.clock.setTimeout(() => {
      this.refresh = undefined;
      if (!this.running) return;
      const now = this.describe();
      if (now !== this.lastStatus) this.status(now);
    }, STATUS_COALESCE_MS);
  }

  private pingEvery(periodMs: number): void {
    const tick = (): void => {
      if (this.closed) return;
      this.manager.watchdog();
      this.ping = this.clock.setTimeout(tick, periodMs);
    };
    tick();
  }
}
