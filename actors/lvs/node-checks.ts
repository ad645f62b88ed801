/**
 * A node's checker side, the same in the daemon and the simulator: its virtual servers with their checkers on a
 * checker host, converging a load-balancer backend (HealthChecks); checker news goes to the log, and keepalived's
 * notify_up / notify_down / quorum_up / quorum_down scripts (as their users, through the node's bounded script
 * runner) and notify FIFO lines follow it. When vigil stops, a virtual server with omega notifies once more (its
 * scripts get keepalived's one second).
 *
 * Built from the transports the caller provides (a worker thread and the kernel in the daemon, which loads this
 * module only when a configuration has virtual servers; in-process on simulated servers in the simulator), then
 * attached to its node by actors/node-assembly.ts, which links it to the VRRP instances (ha_suspend).
 */
import type { Subscription } from 'rxjs';
import type { ClearMode, LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import type { LbTimeouts } from '../../machines/desired-state.js';
import type { CheckerHost } from '../checks/checker-host.js';
import type { ResolvedVirtualServer } from '../checks/resolve-checkers.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { Script } from '../../config/model.js';
import type { ScriptRunner } from '../scripts/script-runner.js';
import { STOP_SCRIPT_TIMEOUT_MS } from '../vrrp/notifier.js';
import { virtualServerStatuses, type VirtualServerStatus } from '../status.js';
import { DEFAULT_SCRIPT_TIMEOUT_MS, type NodeEnvironment } from '../environment.js';
import { HealthChecks, type BuildSlice, type HealthEvent } from './health-checks.js';
import { eachVirtualServer } from '../checks/resolve-checkers.js';
import type { VirtualServerRunner } from './virtual-server-runner.js';
import { SyncDaemonRunner, syncDaemonSpec } from './sync-daemon-runner.js';
import { ipvsOnlyUses } from './ipvs-only.js';

/** Where a node's checkers run and what they program. */
export interface CheckerTransports {
  readonly host: CheckerHost;
  readonly backend: LoadBalancerBackend;
  /** Apply each state at once (the simulated backend, for exact virtual times). */
  readonly immediateApply?: boolean | undefined;
}

/** What the node gives its checker side to notify with. */
export interface CheckerScripts {
  readonly runner: ScriptRunner;
  /** The notify FIFOs' checker lines (notify_fifo and lvs_notify_fifo). */
  readonly fifo?: ((line: string) => void) | undefined;
}

/** keepalived's notation of a service in notify FIFO lines: `[ADDRESS]:proto:PORT` (fwmark services: `FWM N`). */
function serviceText(address: string, protocol: string, port: number): string {
  return `[${address}]:${protocol}:${port}`;
}

/** `address:port` or `[v6]:port`, as the checker side keys real servers. */
function splitHostPort(key: string): { address: string; port: number } {
  const colon = key.lastIndexOf(':');
  return { address: key.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(key.slice(colon + 1)) };
}

/** keepalived `lvs_flush_on_stop`: alone, the whole table; `VS`, the services; not given, each server then service. */
function clearModeOf(flushOnStop: true | 'VS' | undefined): ClearMode {
  return flushOnStop === true ? 'all' : flushOnStop === 'VS' ? 'services' : 'each';
}

function timeoutsOf(t: KeepalivedConfig['globalDefs']['lvsTimeouts']): LbTimeouts | undefined {
  if (t === undefined) return undefined;
  return { ...(t.tcp !== undefined ? { tcp: t.tcp } : {}), ...(t.tcpfin !== undefined ? { tcpFin: t.tcpfin } : {}), ...(t.udp !== undefined ? { udp: t.udp } : {}) };
}

export interface NodeChecksOptions {
  /** A reload's checker side: keepalived's `lvs_flush` happens at start only. */
  readonly reload?: boolean | undefined;
  /** Build the virtual servers a slice per turn (the daemon's VRRP thread); absent, all at once. */
  readonly buildSlice?: BuildSlice | undefined;
}

export class NodeChecks {
  private health: HealthChecks | undefined;
  private syncDaemon: SyncDaemonRunner | undefined;
  private subscription: Subscription | undefined;
  private scripts: CheckerScripts | undefined;
  /** The configured scripts (with their users) of each notification: `vs|UP`, `vs|rs|UP`, … */
  private readonly notifyScripts = new Map<string, Script>();
  /** vigil is stopping: the notifications now are the last ones. */
  private stopping = false;

  /** `config`: the runnable configuration (actors/scripts/runnable-scripts.ts). */
  constructor(
    private readonly env: NodeEnvironment,
    private readonly config: KeepalivedConfig,
    private readonly transports: CheckerTransports,
    private readonly scriptTimeoutMs = DEFAULT_SCRIPT_TIMEOUT_MS,
    private readonly options: NodeChecksOptions = {},
  ) {}

  get virtualServers(): readonly VirtualServerRunner[] {
    return this.health?.virtualServers ?? [];
  }

  /** The virtual servers as resolved at start (checkers in milliseconds, probe specs). */
  get resolved(): readonly ResolvedVirtualServer[] {
    return this.virtualServers.map((v) => v.vs);
  }

  statuses(): VirtualServerStatus[] {
    return virtualServerStatuses(this.health?.virtualServers ?? []);
  }

  /**
   * `masters`: the VRRP instances that are MASTER now (their virtual servers check at once under ha_suspend).
   * Resolves once every virtual server is built (a slice per turn with `buildSlice`), or `signal` stopped it.
   */
  start(masters: ReadonlySet<string>, scripts: CheckerScripts, signal?: AbortSignal): Promise<void> {
    const { env, transports } = this;
    this.scripts = scripts;
    const g = this.config.globalDefs;
    const backend = transports.backend;
    // What config test cannot know under `lvs_backend auto`: the kernel vigil runs on has no IPVS. Said loudly.
    const unavailable = backend.name === 'ipvs' ? [] : ipvsOnlyUses(this.config);
    if (unavailable.length > 0) env.log.error(`load balancer ${backend.name} (lvs_backend ${g.lvsBackend ?? 'auto'}) cannot do what IPVS does; not applied: ${unavailable.join('; ')}`);
    const health = new HealthChecks({
      clock: env.clock,
      host: transports.host,
      backend,
      immediateApply: transports.immediateApply,
      mastersAtStart: masters,
      inspect: env.inspect,
      timeouts: backend.name === 'ipvs' ? timeoutsOf(g.lvsTimeouts) : undefined,
      flushAtStart: (g.lvsFlush ?? false) && !(this.options.reload ?? false),
      clearMode: clearModeOf(g.lvsFlushOnStop),
      buildSlice: this.options.buildSlice,
    });
    this.subscription = health.events$.subscribe((e) => this.event(e));
    this.health = health;
    this.notifyScripts.clear();
    const built = health.start(eachVirtualServer(this.config), { signal, built: (runner, i) => this.mapNotifyScripts(runner, i) });
    const spec = syncDaemonSpec(g);
    if (spec !== undefined && backend.syncDaemon !== undefined) {
      this.syncDaemon = new SyncDaemonRunner(backend.syncDaemon, spec, env.log);
      this.syncDaemon.start(masters);
    }
    return built;
  }

  /** A checker side made for a reload that did not happen: its checker host stops without having started. */
  async discard(): Promise<void> {
    if (!this.health) await this.transports.host.stop();
  }

  /** A VRRP instance of this node changed state: virtual servers with ha_suspend follow it, and so does lvs_sync_daemon. */
  vrrpState(instance: string, state: string): void {
    this.health?.vrrpState(instance, state);
    this.syncDaemon?.vrrpState(instance, state);
  }

  /** Resolves when the sync daemon commands asked for so far have been sent (tests). */
  async settled(): Promise<void> {
    await this.syncDaemon?.settled();
  }

  /** `clearRules`: on shutdown vigil's rules go; on a reload they stay for the next start to converge from. */
  async stop(clearRules: boolean): Promise<void> {
    const health = this.health;
    this.health = undefined;
    this.stopping = true;
    // A reload leaves the sync daemon running: the next checker side converges it (unchanged: untouched).
    const syncDaemon = this.syncDaemon;
    this.syncDaemon = undefined;
    if (clearRules) await syncDaemon?.stop();
    else await syncDaemon?.settled();
    // The subscription goes after the stop: a shutdown's omega notifications come out of it.
    if (health) {
      if (clearRules) await health.stop();
      else await health.stopKeepingRules();
    }
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private event(e: HealthEvent): void {
    const log = this.env.log;
    switch (e.kind) {
      case 'real_server':
        log.info(`${e.state === 'UP' ? 'Adding' : 'Removing'} service [${e.rs}] ${e.state === 'UP' ? 'to' : 'from'} VS [${e.vs}]`);
        if (e.script) this.runScript(`${e.vs}|${e.rs}|${e.state}`, e.script, `real_server ${e.rs} notify_${e.state.toLowerCase()}`);
        this.fifoLine(e.vs, e.rs, e.state);
        break;
      case 'quorum':
        log.info(`VS [${e.vs}] quorum ${e.state === 'UP' ? 'gained' : 'lost'}`);
        if (e.script) this.runScript(`${e.vs}|${e.state}`, e.script, `virtual_server ${e.vs} quorum_${e.state.toLowerCase()}`);
        this.fifoLine(e.vs, undefined, e.state);
        break;
      case 'suspend':
        log.info(`VS [${e.vs}] checkers ${e.suspended ? 'suspended (ha_suspend: not master)' : 'resumed'}`);
        break;
      case 'lb_error':
        log.error(`load balancer: ${e.message}`);
        break;
      case 'lb_applied':
        log.debug(`load balancer updated: ${JSON.stringify(e.report)}`);
        break;
      default:
        log.debug(`checkers: ${JSON.stringify(e)}`);
        break;
    }
  }

  /** keepalived's lvs_notify_fifo lines: `VS [vip]:tcp:80 UP`, `RS [rip]:tcp:8080 [vip]:tcp:80 DOWN`. */
  private fifoLine(vsKey: string, rsKey: string | undefined, state: 'UP' | 'DOWN'): void {
    const write = this.scripts?.fifo;
    if (!write) return;
    const vs = this.health?.find(vsKey)?.vs;
    const service = vs?.services[0];
    if (!vs || !service) return;
    const protocol = service.protocol;
    const vsText = service.kind === 'fwmark' ? `FWM ${service.fwmark}` : serviceText(service.address, protocol, service.port);
    if (rsKey === undefined) {
      write(`VS ${vsText} ${state}\n`);
      return;
    }
    const rs = splitHostPort(rsKey);
    write(`RS ${serviceText(rs.address, protocol, rs.port)} ${vsText} ${state}\n`);
  }

  /**
   * The virtual servers run in the order of the configuration's, and their real servers in the order of each one's
   * (the checker side resolves them one to one): so each notification's configured script, user and all, is found
   * by key. Mapped as each runner is made, before it can notify.
   */
  private mapNotifyScripts(runner: VirtualServerRunner, i: number): void {
    const vs = this.config.virtualServers[i];
    if (vs === undefined) return;
    const key = runner.vs.key;
    if (vs.quorumUp) this.notifyScripts.set(`${key}|UP`, vs.quorumUp);
    if (vs.quorumDown) this.notifyScripts.set(`${key}|DOWN`, vs.quorumDown);
    runner.vs.realServers.forEach((rs, j) => {
      const configured = vs.realServers[j];
      if (configured?.notifyUp) this.notifyScripts.set(`${key}|${rs.key}|UP`, configured.notifyUp);
      if (configured?.notifyDown) this.notifyScripts.set(`${key}|${rs.key}|DOWN`, configured.notifyDown);
    });
  }

  private runScript(key: string, command: string, what: string): void {
    const script = this.notifyScripts.get(key);
    if (script === undefined || script.command !== command) {
      // Never run a command as some other script's user.
      this.env.log.warn(`${what}: ${command}: not found among the configured scripts; not run`);
      return;
    }
    const timeoutMs = this.stopping ? Math.min(STOP_SCRIPT_TIMEOUT_MS, this.scriptTimeoutMs) : this.scriptTimeoutMs;
    this.scripts?.runner.notify({ script, timeoutMs, what, stopping: this.stopping });
  }
}
