/**
 * The composition root of keepalived's checker side: virtual servers (resolved from the configuration by
 * actors/checks/resolve-checkers.ts → runners), their checkers
 * on a CheckerHost (in-process for the simulator, a worker thread for the daemon), and the load-balancer backend
 * they converge. Checker reports are routed to the virtual server owning the checker; VRRP state changes reach
 * the virtual servers that name the instance (ha_suspend).
 */
import type { InspectionEvent } from 'xstate';
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { Clock } from '../../machines/clock.js';
import type { ApplyReport, ClearMode, LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import type { LbTimeouts } from '../../machines/desired-state.js';
import type { CheckerHost, HostEvent } from '../checks/checker-host.js';
import { LoadBalancerSync } from './lb-sync.js';
import type { ResolvedVirtualServer } from '../checks/resolve-checkers.js';
import { VirtualServerRunner, type LbNotification } from './virtual-server-runner.js';

export type HealthEvent =
  | HostEvent
  | LbNotification
  | { readonly kind: 'lb_applied'; readonly at: number; readonly report: ApplyReport }
  | { readonly kind: 'lb_error'; readonly at: number; readonly message: string };

export interface HealthChecksOptions {
  readonly clock: Clock;
  readonly host: CheckerHost;
  readonly backend: LoadBalancerBackend;
  /** Apply each state at once (the simulated backend, for exact virtual times). */
  readonly immediateApply?: boolean;
  /** VRRP instances that are MASTER at start (ha_suspend). */
  readonly mastersAtStart?: ReadonlySet<string>;
  /** keepalived `lvs_timeouts`: applied with the services, restored when the rules go. */
  readonly timeouts?: LbTimeouts | undefined;
  /** keepalived `lvs_flush`: flush the backend's table before the first apply (a start, not a reload). */
  readonly flushAtStart?: boolean | undefined;
  /** keepalived `lvs_flush_on_stop`: how the rules go at stop (default: each destination, then each service). */
  readonly clearMode?: ClearMode | undefined;
  /** XState inspection of the virtual-server actors (and the real servers they spawn), for observe/. */
  readonly inspect?: ((event: InspectionEvent) => void) | undefined;
}

export class HealthChecks {
  private readonly subject = new Subject<HealthEvent>();
  readonly events$: Observable<HealthEvent> = this.subject.asObservable();
  readonly lb: LoadBalancerSync;
  readonly virtualServers: VirtualServerRunner[] = [];
  private readonly byChecker = new Map<string, VirtualServerRunner>();
  private subscription: Subscription | undefined;

  constructor(private readonly options: HealthChecksOptions) {
    const { clock } = options;
    this.lb = new LoadBalancerSync(options.backend, clock, {
      immediate: options.immediateApply ?? false,
      timeouts: options.timeouts,
      flushFirst: options.flushAtStart,
      onApplied: (report) => this.subject.next({ kind: 'lb_applied', at: clock.now(), report }),
      onError: (error) => this.subject.next({ kind: 'lb_error', at: clock.now(), message: error instanceof Error ? error.message : String(error) }),
    });
  }

  /** Starts the virtual servers and their checkers. */
  start(resolved: readonly ResolvedVirtualServer[]): void {
    const { clock, host } = this.options;
    this.subscription ??= host.events$.subscribe((event) => {
      if (event.kind === 'report') this.byChecker.get(event.report.id)?.report(event.report);
      this.subject.next(event);
    });
    for (const vs of resolved) {
      const masterAtStart = vs.vrrpInstance === undefined || (this.options.mastersAtStart?.has(vs.vrrpInstance) ?? false);
      const runner = new VirtualServerRunner(
        vs,
        {
          clock,
          lb: this.lb,
          setCheckersEnabled: (ids, enabled) => host.setEnabled(ids, enabled),
          notify: (n) => this.subject.next(n),
          inspect: this.options.inspect,
        },
        { masterAtStart },
      );
      this.virtualServers.push(runner);
      const checkers = vs.realServers.flatMap((rs) => rs.checkers);
      for (const c of checkers) this.byChecker.set(c.id, runner);
      const disabled = vs.haSuspend && !masterAtStart ? new Set(checkers.map((c) => c.id)) : undefined;
      runner.start();
      host.add(checkers, disabled === undefined ? {} : { disabled });
    }
  }

  /** A VRRP instance changed state: virtual servers with ha_suspend follow it. */
  vrrpState(instance: string, state: string): void {
    for (const vs of this.virtualServers) if (vs.vs.vrrpInstance === instance) vs.vrrp(state === 'MASTER');
  }

  find(key: string): VirtualServerRunner | undefined {
    return this.virtualServers.find((v) => v.vs.key === key);
  }

  /** For a reload: checkers stopped, the rules left for the next HealthChecks to converge from. */
  async stopKeepingRules(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.options.host.stop();
    await this.lb.flush();
    this.subject.complete();
  }

  /** Shutdown notifications (omega), checkers stopped, vigil's load-balancer rules removed. */
  async stop(): Promise<void> {
    for (const vs of this.virtualServers) vs.shutdown();
    this.subscription?.unsubscribe();
    await this.options.host.stop();
    await this.lb.flush();
    await this.options.backend.clear(this.options.clearMode);
    this.subject.complete();
  }
}
