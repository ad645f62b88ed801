/**
 * The composition root of keepalived's checker side: virtual servers (resolved from the configuration by
 * actors/checks/resolve-checkers.ts → runners), their checkers
 * on a CheckerHost (in-process for the simulator, a worker thread for the daemon), and the load-balancer backend
 * they converge. Checker reports are routed to the virtual server owning the checker; VRRP state changes reach
 * the virtual servers that name the instance (ha_suspend).
 */
import type { InspectionEvent } from 'xstate';
import { Subject, type Observable, type Subscription } from 'rxjs';
import { nextTurn, type Clock, type TimerId } from '../../machines/clock.js';
import type { ApplyReport, ClearMode, LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import type { LbTimeouts } from '../../machines/desired-state.js';
import type { CheckerHost, HostEvent } from '../checks/checker-host.js';
import type { CheckerReport as HostReport } from '../../machines/checker.js';
import { LoadBalancerSync } from './lb-sync.js';
import type { ResolvedChecker, ResolvedVirtualServer } from '../checks/resolve-checkers.js';
import { VirtualServerRunner, type LbNotification } from './virtual-server-runner.js';
import type { CheckerReport } from '../../machines/checker.js';

/**
 * A checker went up or down (keepalived's checker_was_up → is_up), or gave its first result, with its real
 * server's state before and after: what keepalived's checkers mail about (check_tcp.c …).
 */
export interface CheckerChange {
  readonly kind: 'checker';
  readonly at: number;
  readonly vs: string;
  readonly rs: string;
  readonly checker: ResolvedChecker;
  readonly up: boolean;
  /** The checker's state changed (else this is its first result, the same as it started with). */
  readonly changed: boolean;
  readonly firstRun: boolean;
  readonly detail: string;
  readonly rsWasAlive: boolean;
  readonly rsAlive: boolean;
}

export type HealthEvent =
  | HostEvent
  | CheckerChange
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
  /**
   * global_defs rs_init_notifies: which real servers alive at start notify it (keepalived init_service_rs: all at
   * start; on a reload only the new ones). Absent: none.
   */
  readonly rsInitNotifies?: ((vsKey: string, rsKey: string) => boolean) | undefined;
  /** XState inspection of the virtual-server actors (and the real servers they spawn), for observe/. */
  readonly inspect?: ((event: InspectionEvent) => void) | undefined;
  /**
   * Build the virtual servers a slice per turn of the clock (the daemon: its VRRP thread runs them, and thousands
   * of checkers built at once held it for seconds, past the advert interval). Absent: all at once (the simulator).
   */
  readonly buildSlice?: BuildSlice | undefined;
  /** BFD_CHECK: whether a BFD session is Up now (each BFD_CHECK starts with its session's state). */
  readonly bfdUp?: ((name: string) => boolean) | undefined;
}

/** How much of the checker side one turn builds: a slice ends after `checkers` checkers or `ms` of the clock. */
export interface BuildSlice {
  readonly checkers: number;
  readonly ms: number;
}

export interface StartOptions {
  /** Stops the building (the daemon stopping): what is built stays, the rest is not built. */
  readonly signal?: AbortSignal | undefined;
  /** Each virtual server's runner as it is made, before it starts (its position among the resolved ones). */
  readonly built?: ((runner: VirtualServerRunner, index: number) => void) | undefined;
  /** Each virtual server's runner once it has started (its quorum is known). */
  readonly started?: ((runner: VirtualServerRunner) => void) | undefined;
}

function bfdReport(id: string, name: string, up: boolean, firstRun: boolean): CheckerReport {
  return { id, up, weight: undefined, firstRun, detail: `BFD check of [${name}] is ${up ? 'UP' : 'DOWN'}` };
}

export class HealthChecks {
  private readonly subject = new Subject<HealthEvent>();
  readonly events$: Observable<HealthEvent> = this.subject.asObservable();
  readonly lb: LoadBalancerSync;
  readonly virtualServers: VirtualServerRunner[] = [];
  private readonly byChecker = new Map<string, VirtualServerRunner>();
  /** BFD_CHECKs by bfd_instance name. */
  private readonly byBfd = new Map<string, { readonly id: string; readonly runner: VirtualServerRunner }[]>();
  /** Each checker, its real server, and whether it is up now (at first: up unless `alpha`, as keepalived). */
  private readonly checkers = new Map<string, { checker: ResolvedChecker; rs: string; up: boolean }>();
  private readonly byKey = new Map<string, VirtualServerRunner>();
  private subscription: Subscription | undefined;
  /** The VRRP instances that are MASTER now: what a virtual server built now starts with (ha_suspend). */
  private readonly masters: Set<string>;
  /** The building under way, when sliced. */
  private building: { timer: TimerId | undefined; cancel: () => void } | undefined;

  constructor(private readonly options: HealthChecksOptions) {
    const { clock } = options;
    this.masters = new Set(options.mastersAtStart);
    this.lb = new LoadBalancerSync(options.backend, clock, {
      immediate: options.immediateApply ?? false,
      timeouts: options.timeouts,
      flushFirst: options.flushAtStart,
      onApplied: (report) => this.subject.next({ kind: 'lb_applied', at: clock.now(), report }),
      onError: (error) => this.subject.next({ kind: 'lb_error', at: clock.now(), message: error instanceof Error ? error.message : String(error) }),
    });
  }

  /**
   * Starts the virtual servers and their checkers, taking them from `resolved` as they are built; resolves once
   * all are (or the building was stopped). Sliced (`buildSlice`), the load balancer is told only once all are.
   */
  start(resolved: Iterable<ResolvedVirtualServer>, options: StartOptions = {}): Promise<void> {
    this.subscription ??= this.options.host.events$.subscribe((event) => {
      if (event.kind === 'report') this.report(event.at, event.report);
      this.subject.next(event);
    });
    const next = resolved[Symbol.iterator]();
    let index = 0;
    /** Builds the next virtual server: its number of checkers, undefined when there is none left. */
    const buildNext = (): number | undefined => {
      const item = next.next();
      if (item.done === true) return undefined;
      return this.build(item.value, index++, options.built, options.started);
    };
    const slice = this.options.buildSlice;
    if (slice === undefined) {
      while (buildNext() !== undefined);
      return Promise.resolve();
    }
    const { clock } = this.options;
    const { signal } = options;
    this.lb.hold();
    return new Promise<void>((resolve, reject) => {
      const end = (outcome: () => void): void => {
        if (this.building === undefined) return;
        if (this.building.timer !== undefined) clock.clearTimeout(this.building.timer);
        this.building = undefined;
        signal?.removeEventListener('abort', done);
        outcome();
      };
      const done = (): void => end(resolve);
      const turn = (): void => {
        const building = this.building;
        if (building === undefined) return;
        building.timer = undefined;
        const started = clock.now();
        let checkers = 0;
        while (checkers < slice.checkers && clock.now() - started < slice.ms) {
          let built: number | undefined;
          try {
            built = buildNext();
          } catch (err) {
            // The caller's to handle (a reload logs it), never an exception out of a timer of the VRRP thread.
            end(() => reject(err));
            return;
          }
          if (built === undefined) {
            this.lb.release();
            done();
            return;
          }
          checkers += Math.max(1, built);
        }
        // The rest on a later turn: whatever is due meanwhile (an advertisement) runs first. Yielded without a
        // timer's sleep: on a loaded host each sleep cost a wait for a CPU again, and a slice ended by the wall
        // clock there builds one virtual server, so 500 of them took tens of seconds.
        building.timer = nextTurn(clock, turn);
      };
      this.building = { timer: undefined, cancel: done };
      signal?.addEventListener('abort', done, { once: true });
      if (signal?.aborted === true) done();
      else turn();
    });
  }

  /** Makes and starts one virtual server and adds its checkers to the host; returns its number of checkers. */
  private build(vs: ResolvedVirtualServer, index: number, built: StartOptions['built'], started?: StartOptions['started']): number {
    const { clock, host } = this.options;
    const masterAtStart = vs.vrrpInstance === undefined || this.masters.has(vs.vrrpInstance);
    const runner = new VirtualServerRunner(
      vs,
      {
        clock,
        lb: this.lb,
        setCheckersEnabled: (ids, enabled) => host.setEnabled(ids, enabled),
        notify: (n) => this.subject.next(n),
        inspect: this.options.inspect,
      },
      { masterAtStart, initNotify: this.options.rsInitNotifies && ((rs: string) => this.options.rsInitNotifies?.(vs.key, rs) ?? false) },
    );
    this.virtualServers.push(runner);
    if (!this.byKey.has(vs.key)) this.byKey.set(vs.key, runner);
    built?.(runner, index);
    const checkers = vs.realServers.flatMap((rs) => rs.checkers);
    for (const c of checkers) this.byChecker.set(c.id, runner);
    for (const rs of vs.realServers) for (const c of rs.checkers) this.checkers.set(c.id, { checker: c, rs: rs.key, up: !c.params.alpha });
    const disabled = vs.haSuspend && !masterAtStart ? new Set(checkers.map((c) => c.id)) : undefined;
    runner.start();
    started?.(runner);
    host.add(checkers, disabled === undefined ? {} : { disabled });
    // keepalived's BFD process tells the checkers every session's state when it starts (bfd_scheduler.c), and the
    // first event always applies (check_bfd.c): a BFD_CHECK starts with its session's state.
    for (const c of vs.realServers.flatMap((rs) => rs.bfdChecks ?? [])) {
      this.byBfd.set(c.name, [...(this.byBfd.get(c.name) ?? []), { id: c.id, runner }]);
      runner.report(bfdReport(c.id, c.name, this.options.bfdUp?.(c.name) ?? false, true));
    }
    return checkers.length;
  }

  /** A BFD session with `checker` events went Up or Down: its BFD_CHECKs follow. */
  bfdState(name: string, up: boolean): void {
    for (const { id, runner } of this.byBfd.get(name) ?? []) runner.report(bfdReport(id, name, up, false));
  }

  /**
   * A checker's report goes to its virtual server; a change of the checker's state (and its first result) is told
   * with its real server's.
   */
  private report(at: number, report: HostReport): void {
    const runner = this.byChecker.get(report.id);
    if (runner === undefined) return;
    const entry = this.checkers.get(report.id);
    const rsWasAlive = entry !== undefined && runner.alive(entry.rs);
    runner.report(report);
    if (entry === undefined || (entry.up === report.up && !report.firstRun)) return;
    const changed = entry.up !== report.up;
    entry.up = report.up;
    const rsAlive = runner.alive(entry.rs);
    this.subject.next({ kind: 'checker', at, vs: runner.vs.key, rs: entry.rs, checker: entry.checker, up: report.up, changed, firstRun: report.firstRun, detail: report.detail, rsWasAlive, rsAlive });
  }

  /** Whether virtual servers are still being built (a slice per turn). */
  get isBuilding(): boolean {
    return this.building !== undefined;
  }

  /** A VRRP instance changed state: virtual servers with ha_suspend follow it (those built later start so). */
  vrrpState(instance: string, state: string): void {
    if (state === 'MASTER') this.masters.add(instance);
    else this.masters.delete(instance);
    for (const vs of this.virtualServers) if (vs.vs.vrrpInstance === instance) vs.vrrp(state === 'MASTER');
  }

  /** The virtual server of this key (a notification's), without a walk through thousands of them. */
  find(key: string): VirtualServerRunner | undefined {
    return this.byKey.get(key);
  }

  /**
   * For a reload: checkers stopped, the rules left for the next HealthChecks to converge from. The host is told to
   * stop and not waited for: its reports reach nobody from here on, and the daemon's worker, at nice 10 with 2,000
   * checkers to end, took 6–10 s to exit on a loaded host, all of it added to the reload. `hostStopped` resolves
   * once it has (tests).
   */
  async stopKeepingRules(): Promise<void> {
    this.building?.cancel();
    this.subscription?.unsubscribe();
    this.hostStopped = this.options.host.stop().catch(() => undefined);
    await this.lb.flush();
    this.subject.complete();
  }

  /** The host's stop, once stopKeepingRules asked for it. */
  hostStopped: Promise<void> | undefined;

  /** Shutdown notifications (omega), checkers stopped, vigil's load-balancer rules removed. */
  async stop(): Promise<void> {
    this.building?.cancel();
    for (const vs of this.virtualServers) vs.shutdown();
    this.subscription?.unsubscribe();
    await this.options.host.stop();
    await this.lb.flush();
    await this.options.backend.clear(this.options.clearMode);
    this.subject.complete();
  }
}
