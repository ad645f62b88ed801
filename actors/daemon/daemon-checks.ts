/**
 * The daemon's checker side: virtual servers with their checkers (a worker thread) and the kernel load balancer,
 * loaded only when the configuration has virtual servers; ha_suspend follows the VRRP transitions on the bus;
 * checker news goes to the log, and keepalived's notify_up / notify_down / quorum_up / quorum_down scripts run.
 */
import type { Subscription } from 'rxjs';
import { splitCommandLine } from '../../config/command-line.js';
import type { LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';
import type { Bus } from '../bus.js';
import type { HealthChecks, HealthEvent } from '../lvs/health-checks.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { virtualServerStatuses, type VirtualServerStatus } from '../status.js';
import { DEFAULT_SCRIPT_TIMEOUT_MS, type DaemonEnvironment } from '../environment.js';

/** keepalived's notation of a service in notify FIFO lines: `[ADDRESS]:proto:PORT` (fwmark services: `FWM N`). */
function serviceText(address: string, protocol: string, port: number): string {
  return `[${address}]:${protocol}:${port}`;
}

/** `address:port` or `[v6]:port`, as the checker side keys real servers. */
function splitHostPort(key: string): { address: string; port: number } {
  const colon = key.lastIndexOf(':');
  return { address: key.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(key.slice(colon + 1)) };
}

export class DaemonChecks {
  private health: HealthChecks | undefined;
  private subscriptions: Subscription[] = [];
  /** lvs_notify_fifo (or notify_fifo): `VS … UP|DOWN` and `RS … UP|DOWN` lines. */
  private writeFifo: ((line: string) => void) | undefined;

  constructor(
    private readonly env: DaemonEnvironment,
    private readonly bus: Bus,
    private readonly scriptTimeoutMs = DEFAULT_SCRIPT_TIMEOUT_MS,
  ) {}

  get virtualServerCount(): number {
    return this.health?.virtualServers.length ?? 0;
  }

  statuses(): VirtualServerStatus[] {
    return virtualServerStatuses(this.health?.virtualServers ?? []);
  }

  /** `masters`: the VRRP instances that are MASTER now (their virtual servers check at once under ha_suspend). */
  async start(config: KeepalivedConfig, masters: ReadonlySet<string>): Promise<void> {
    if (config.virtualServers.length === 0) return;
    const { env } = this;
    const [{ HealthChecks }, { resolveVirtualServers }] = await Promise.all([import('../lvs/health-checks.js'), import('../checks/resolve-checkers.js')]);
    const resolved = resolveVirtualServers(config);
    const checks = await env.checks?.();
    if (!checks) {
      env.log.warn(`${resolved.length} virtual server(s) configured, but no checker support on this host`);
      return;
    }
    for (const vs of config.virtualServers) {
      for (const rs of vs.realServers) {
        for (const c of rs.checkers) if (c.type === 'BFD_CHECK') env.log.warn(`${c.at.file}:${c.at.line}: BFD_CHECK is not supported; ignored`);
      }
    }
    let selection: { backend: LoadBalancerBackend; statement: string };
    try {
      selection = await checks.backend(config.globalDefs.lvsBackend ?? 'auto');
    } catch (err) {
      env.log.error(`no load balancer: ${err instanceof Error ? err.message : String(err)}; virtual servers are not programmed`);
      return;
    }
    env.log.info(selection.statement);
    const fifo = config.globalDefs.lvsNotifyFifo?.command ?? config.globalDefs.notifyFifo?.command;
    this.writeFifo = fifo ? env.openFifo?.(fifo) : undefined;
    const health = new HealthChecks({ clock: env.clock, host: checks.host(checkerScheduling(config)), backend: selection.backend, mastersAtStart: masters, inspect: env.inspect });
    this.subscriptions = [
      health.events$.subscribe((e) => this.event(e)),
      // ha_suspend: virtual servers follow the state of the VRRP instance that holds their address.
      this.bus.messages$.subscribe((m) => {
        if (m.kind === 'transition') this.health?.vrrpState(m.instance, m.to);
      }),
    ];
    health.start(resolved);
    this.health = health;
  }

  /** `clearRules`: on shutdown vigil's rules go; on a reload they stay for the next start to converge from. */
  async stop(clearRules: boolean): Promise<void> {
    const health = this.health;
    this.health = undefined;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
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
    void this.env.processes.run({ argv: splitCommandLine(line), timeoutMs: this.scriptTimeoutMs }).then((outcome) => {
      if (outcome.kind === 'exited' && outcome.code === 0) return;
      this.env.log.warn(`${what}: ${line}: ${outcome.kind === 'exited' ? `exit ${outcome.code}` : outcome.kind}`);
    });
  }
}

/** keepalived's checker_priority, checker_rt_priority and checker_rlimit_rttime, for the checker worker thread. */
function checkerScheduling(config: KeepalivedConfig): ThreadScheduling {
  const g = config.globalDefs;
  return { nice: g.checkerPriority, realtimePriority: g.checkerRtPriority, rlimitRttimeUs: g.checkerRlimitRttime };
}
