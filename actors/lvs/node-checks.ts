/**
 * A node's checker side, the same in the daemon and the simulator: its virtual servers with their checkers on a
 * checker host, converging a load-balancer backend (HealthChecks); checker news goes to the log, and keepalived's
 * notify_up / notify_down / quorum_up / quorum_down scripts and lvs_notify_fifo lines follow it.
 *
 * Built from the transports the caller provides (a worker thread and the kernel in the daemon, which loads this
 * module only when a configuration has virtual servers; in-process on simulated servers in the simulator), then
 * attached to its node by actors/node-assembly.ts, which links it to the VRRP instances (ha_suspend).
 */
import type { Subscription } from 'rxjs';
import { runProcess } from '../../transport/process-runner.js';
import { splitCommandLine } from '../../config/command-line.js';
import type { LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import type { CheckerHost } from '../checks/checker-host.js';
import type { ResolvedVirtualServer } from '../checks/resolve-checkers.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { virtualServerStatuses, type VirtualServerStatus } from '../status.js';
import { DEFAULT_SCRIPT_TIMEOUT_MS, type NodeEnvironment } from '../environment.js';
import { HealthChecks, type HealthEvent } from './health-checks.js';
import { resolveVirtualServers } from '../checks/resolve-checkers.js';
import type { VirtualServerRunner } from './virtual-server-runner.js';

/** Where a node's checkers run and what they program. */
export interface CheckerTransports {
  readonly host: CheckerHost;
  readonly backend: LoadBalancerBackend;
  /** Apply each state at once (the simulated backend, for exact virtual times). */
  readonly immediateApply?: boolean | undefined;
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

export class NodeChecks {
  private health: HealthChecks | undefined;
  private subscription: Subscription | undefined;
  /** lvs_notify_fifo (or notify_fifo): `VS … UP|DOWN` and `RS … UP|DOWN` lines. */
  private readonly writeFifo: ((line: string) => void) | undefined;

  constructor(
    private readonly env: NodeEnvironment,
    private readonly config: KeepalivedConfig,
    private readonly transports: CheckerTransports,
    private readonly scriptTimeoutMs = DEFAULT_SCRIPT_TIMEOUT_MS,
  ) {
    const fifo = config.globalDefs.lvsNotifyFifo?.command ?? config.globalDefs.notifyFifo?.command;
    this.writeFifo = fifo ? env.openFifo?.(fifo) : undefined;
  }

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

  /** `masters`: the VRRP instances that are MASTER now (their virtual servers check at once under ha_suspend). */
  start(masters: ReadonlySet<string>): void {
    const { env, transports } = this;
    const health = new HealthChecks({
      clock: env.clock,
      host: transports.host,
      backend: transports.backend,
      immediateApply: transports.immediateApply,
      mastersAtStart: masters,
      inspect: env.inspect,
    });
    this.subscription = health.events$.subscribe((e) => this.event(e));
    this.health = health;
    health.start(resolveVirtualServers(this.config));
  }

  /** A checker side made for a reload that did not happen: its checker host stops without having started. */
  async discard(): Promise<void> {
    if (!this.health) await this.transports.host.stop();
  }

  /** A VRRP instance of this node changed state: virtual servers with ha_suspend follow it. */
  vrrpState(instance: string, state: string): void {
    this.health?.vrrpState(instance, state);
  }

  /** `clearRules`: on shutdown vigil's rules go; on a reload they stay for the next start to converge from. */
  async stop(clearRules: boolean): Promise<void> {
    const health = this.health;
    this.health = undefined;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (!health) return;
    if (clearRules) await health.stop();
    else await health.stopKeepingRules();
  }

  private event(e: HealthEvent): void {
    const log = this.env.log;
    switch (e.kind) {
      case 'real_server':
        log.info(`${e.state === 'UP' ? 'Adding' : 'Removing'} service [${e.rs}] ${e.state === 'UP' ? 'to' : 'from'} VS [${e.vs}]`);
        if (e.script) this.runScript(e.script, `real server ${e.rs} ${e.state}`);
        this.fifoLine(e.vs, e.rs, e.state);
        break;
      case 'quorum':
        log.info(`VS [${e.vs}] quorum ${e.state === 'UP' ? 'gained' : 'lost'}`);
        if (e.script) this.runScript(e.script, `quorum ${e.vs} ${e.state}`);
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
    if (!this.writeFifo) return;
    const vs = this.health?.virtualServers.find((v) => v.vs.key === vsKey)?.vs;
    const service = vs?.services[0];
    if (!vs || !service) return;
    const protocol = service.protocol;
    const vsText = service.kind === 'fwmark' ? `FWM ${service.fwmark}` : serviceText(service.address, protocol, service.port);
    if (rsKey === undefined) {
      this.writeFifo(`VS ${vsText} ${state}\n`);
      return;
    }
    const rs = splitHostPort(rsKey);
    this.writeFifo(`RS ${serviceText(rs.address, protocol, rs.port)} ${vsText} ${state}\n`);
  }

  private runScript(line: string, what: string): void {
    runProcess(this.env.processes, { argv: splitCommandLine(line), timeoutMs: this.scriptTimeoutMs }, (outcome) => {
      if (outcome.kind === 'exited' && outcome.code === 0) return;
      this.env.log.warn(`${what}: ${line}: ${outcome.kind === 'exited' ? `exit ${outcome.code}` : outcome.kind}`);
    });
  }
}
