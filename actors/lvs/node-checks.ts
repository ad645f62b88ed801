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
import type { Observable, Subscription } from 'rxjs';
import { Subject } from '../../transport/subject.js';
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
import { eachVirtualServer, hostPort, virtualServerKey } from '../checks/resolve-checkers.js';
import { groupFwmarks } from '../checks/group-fwmarks.js';
import { ipvsMarkSettings, renderIpvsMarks, renderIpvsMarksRemoval, type IpvsMarkSettings } from '../../transport/lb/nftables-ipvs-marks.js';
import type { VirtualServerRunner } from './virtual-server-runner.js';
import { SyncDaemonRunner, syncDaemonSpec } from './sync-daemon-runner.js';
import { ipvsOnlyUses } from './ipvs-only.js';
import type { CheckerType, VirtualServer } from '../../config/model.js';
import type { CheckerMail } from '../mail/mail-alerts.js';
import type { BusMessage } from '../bus.js';
import { checkerBody, quorumAlert, realServerAlert, realServerRemovedAlert, serviceTrio, virtualServerText, type MailingChecker } from '../../protocol/alert-mail.js';

/** Where a node's checkers run and what they program. */
/** Runs `nft` (transport/real/lb/nft-runner.ts ExecNftRunner): `nft -f -` with a transaction on stdin. */
export interface NftRunner {
  run(args: readonly string[], stdin?: string): Promise<unknown>;
}

export interface CheckerTransports {
  readonly host: CheckerHost;
  readonly backend: LoadBalancerBackend;
  /** Apply each state at once (the simulated backend, for exact virtual times). */
  readonly immediateApply?: boolean | undefined;
  /** `nft` for global_defs nftables_ipvs (the marks of virtual server groups); absent, the groups are not marked. */
  readonly nft?: NftRunner | undefined;
}

/** What the node gives its checker side to notify with. */
export interface CheckerScripts {
  readonly runner: ScriptRunner;
  /** The notify FIFOs' checker lines (notify_fifo and lvs_notify_fifo). */
  readonly fifo?: ((line: string) => void) | undefined;
  /** E-mail alerts (smtp_alert), when the configuration sends them. */
  readonly mail?: CheckerMail | undefined;
  /** Real-server and quorum changes for the node's bus (SNMP traps: observe/snmp/check-traps.ts). */
  readonly tell?: ((notice: CheckerNotice) => void) | undefined;
}

/** A real server's or a virtual server's quorum's change, as the bus carries it without the node's name. */
export type CheckerNotice = DistributiveOmit<Extract<BusMessage, { kind: 'real_server' | 'quorum' }>, 'node'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** keepalived's checkers that mail, by their mail text's kind (FILE_CHECK and BFD_CHECK do not mail). */
const MAILING: Partial<Record<CheckerType, MailingChecker>> = {
  TCP_CHECK: 'tcp',
  HTTP_GET: 'http',
  SSL_GET: 'ssl',
  SMTP_CHECK: 'smtp',
  DNS_CHECK: 'dns',
  UDP_CHECK: 'udp',
  PING_CHECK: 'ping',
  MISC_CHECK: 'misc',
};

/** What an alert names a virtual server and its real servers with (format_vs, format_rs). */
interface MailNames {
  readonly vs: string;
  readonly protocol: string;
  readonly smtpAlert: boolean;
  /** By real server key: its trio and whether it alerts. */
  readonly realServers: ReadonlyMap<string, { readonly name: string; readonly smtpAlert: boolean }>;
}

/** The node's BFD sessions as BFD_CHECK sees them (actors/bfd/node-bfd.ts). */
export interface CheckerBfd {
  isUp(name: string): boolean;
  readonly checkerEvents$: Observable<{ readonly name: string; readonly up: boolean }>;
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
  /** On a reload, the configuration that ran before: its real servers are not new (rs_init_notifies). */
  readonly previous?: KeepalivedConfig | undefined;
  /** Build the virtual servers a slice per turn (the daemon's VRRP thread); absent, all at once. */
  readonly buildSlice?: BuildSlice | undefined;
}

export class NodeChecks {
  private health: HealthChecks | undefined;
  /** The health checks being stopped: their last notifications (omega) still name their virtual servers. */
  private stoppingHealth: HealthChecks | undefined;
  private syncDaemon: SyncDaemonRunner | undefined;
  private subscription: Subscription | undefined;
  private bfdSubscription: Subscription | undefined;
  private scripts: CheckerScripts | undefined;
  /** The configured scripts (with their users) of each notification: `vs|UP`, `vs|rs|UP`, … */
  private readonly notifyScripts = new Map<string, Script>();
  /** Each virtual server's names and smtp_alert settings, by key. */
  private readonly mailNames = new Map<string, MailNames>();
  /** vigil is stopping: the notifications now are the last ones. */
  private stopping = false;
  /** `vs|rs` of the real servers that went down as vigil stops (omega). */
  private readonly downAtStop = new Set<string>();
  /** nftables_ipvs: where its table is, once applied. */
  private marks: { readonly nft: NftRunner; readonly settings: IpvsMarkSettings } | undefined;
  private marksApplied: Promise<void> | undefined;
  private readonly quorumSubject = new Subject<{ readonly vs: string; readonly up: boolean }>();
  /** Each virtual server's quorum once it has started, then each change (announce_table follows it). */
  readonly quorum$: Observable<{ readonly vs: string; readonly up: boolean }> = this.quorumSubject.asObservable();

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
  start(masters: ReadonlySet<string>, scripts: CheckerScripts, signal?: AbortSignal, bfd?: CheckerBfd): Promise<void> {
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
      rsInitNotifies: g.rsInitNotifies ? this.newRealServers() : undefined,
      bfdUp: (name) => bfd?.isUp(name) ?? false,
    });
    this.subscription = health.events$.subscribe((e) => this.event(e));
    if (bfd) this.bfdSubscription = bfd.checkerEvents$.subscribe((e) => health.bfdState(e.name, e.up));
    this.health = health;
    this.notifyScripts.clear();
    this.mailNames.clear();
    const built = health.start(eachVirtualServer(this.marksConfig(backend.name)), {
      signal,
      built: (runner, i) => this.mapNotifyScripts(runner, i),
      started: (runner) => this.quorumSubject.next({ vs: runner.vs.key, up: runner.quorumUp }),
    });
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

  /**
   * The real server at position `rs` of the virtual server at position `vs` (both 0-based, in file order, as
   * KEEPALIVED-MIB indexes them): its key, its effective weight and whether it is alive; undefined when there is no
   * such real server (or its virtual server is not built yet).
   */
  realServerAt(vs: number, rs: number): { readonly runner: VirtualServerRunner; readonly key: string; readonly weight: number; readonly alive: boolean } | undefined {
    const runner = this.health?.virtualServers[vs];
    const key = runner?.vs.realServers[rs]?.key;
    const member = key === undefined ? undefined : runner?.context.members[key];
    if (runner === undefined || key === undefined || member === undefined) return undefined;
    return { runner, key, weight: member.weight, alive: member.alive };
  }

  /**
   * An SNMP set of realServerWeight (keepalived check_snmp.c → update_svr_wgt): the real server's effective weight
   * is `weight` from now on, the pool and the quorum follow; until a reload. False when there is no such server.
   */
  setRealServerWeight(vs: number, rs: number, weight: number): boolean {
    const at = this.realServerAt(vs, rs);
    if (at === undefined) return false;
    if (at.weight !== weight) {
      this.env.log.info(`Changing weight from ${at.weight} to ${weight} for ${at.alive ? '' : 'in'}active service [${at.key}] of VS [${at.runner.vs.key}]`);
    }
    return at.runner.setWeight(at.key, weight);
  }

  /** A reload that keeps this checker side: what SNMP set goes, the configured weights again (set_effective_weights). */
  resetWeights(): void {
    for (const runner of this.virtualServers) runner.resetWeights();
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

  /**
   * A reload is about to replace this checker side with `next`'s: each live real server that `next` drops (or whose
   * virtual server it drops) mails "=> Removing <=" (ipwrapper.c clear_diff_services → clear_service_rs).
   */
  mailRemovals(next: KeepalivedConfig): void {
    const mail = this.scripts?.mail;
    if (!mail) return;
    const kept = new Map<string, Set<string>>();
    for (const vs of next.virtualServers) kept.set(virtualServerKey(vs), new Set(vs.realServers.map((rs) => hostPort(rs.ip, rs.port))));
    for (const runner of this.virtualServers) {
      const names = this.mailNames.get(runner.vs.key);
      const keeps = kept.get(runner.vs.key);
      for (const rs of runner.vs.realServers) {
        const name = names?.realServers.get(rs.key);
        if (!names || !name?.smtpAlert || keeps?.has(rs.key) === true || !runner.alive(rs.key)) continue;
        mail.send(realServerRemovedAlert(mail.routerId, name.name, names.vs, false));
      }
    }
  }

  /** `clearRules`: on shutdown vigil's rules go; on a reload they stay for the next start to converge from. */
  async stop(clearRules: boolean): Promise<void> {
    const health = this.health;
    this.health = undefined;
    this.bfdSubscription?.unsubscribe();
    this.bfdSubscription = undefined;
    this.stoppingHealth = health;
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
    // nftables_ipvs: the table goes with the rules (keepalived nft_ipvs_end); a reload's next side redefines it.
    const marks = this.marks;
    this.marks = undefined;
    await this.marksApplied;
    if (clearRules && marks) {
      await marks.nft.run(['-f', '-'], renderIpvsMarksRemoval(marks.settings)).catch((err: unknown) => {
        this.env.log.error(`nftables_ipvs: removing table ${marks.settings.table}: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  }

  /**
   * global_defs nftables_ipvs: with IPVS and `nft`, each group of addresses is one fwmark service and its table
   * marks the addresses (applied here, before the services); otherwise the groups' services are programmed one by
   * one, as without the keyword.
   */
  private marksConfig(backendName: string): KeepalivedConfig {
    const g = this.config.globalDefs;
    if (g.nftablesIpvs === undefined) return this.config;
    const nft = this.transports.nft;
    if (backendName !== 'ipvs' || nft === undefined) {
      this.env.log.warn(`nftables_ipvs: ${backendName !== 'ipvs' ? `the ${backendName} load balancer dispatches groups itself` : 'no nft here'}; virtual server groups are programmed address by address`);
      return { ...this.config, globalDefs: { ...g, nftablesIpvs: undefined } };
    }
    const settings = ipvsMarkSettings(g);
    this.marks = { nft, settings };
    const text = renderIpvsMarks(settings, groupFwmarks(this.config).elements);
    this.marksApplied = nft.run(['-f', '-'], text).then(
      () => undefined,
      (err: unknown) => this.env.log.error(`nftables_ipvs: table ${settings.table}: ${err instanceof Error ? err.message : String(err)}`),
    );
    return this.config;
  }

  /** keepalived's rs_init_notifies notify the real servers a start (or a reload, for those it adds) brings up. */
  private newRealServers(): (vsKey: string, rsKey: string) => boolean {
    const previous = this.options.reload === true ? this.options.previous : undefined;
    if (previous === undefined) return () => true;
    const known = new Set<string>();
    for (const vs of eachVirtualServer(previous)) for (const rs of vs.realServers) known.add(`${vs.key}|${rs.key}`);
    return (vsKey, rsKey) => !known.has(`${vsKey}|${rsKey}`);
  }

  private event(e: HealthEvent): void {
    const log = this.env.log;
    switch (e.kind) {
      case 'real_server':
        log.info(`${e.state === 'UP' ? 'Adding' : 'Removing'} service [${e.rs}] ${e.state === 'UP' ? 'to' : 'from'} VS [${e.vs}]`);
        if (e.script) this.runScript(`${e.vs}|${e.rs}|${e.state}`, e.script, `real_server ${e.rs} notify_${e.state.toLowerCase()}`);
        this.fifoLine(e.vs, e.rs, e.state);
        // ipwrapper.c clear_service_rs: a live real server going with vigil (omega) mails; the checkers mail the rest.
        if (this.stopping && e.state === 'DOWN') this.mailRemoved(e.vs, e.rs);
        if (this.stopping && e.state === 'DOWN') this.downAtStop.add(`${e.vs}|${e.rs}`);
        this.scripts?.tell?.({ kind: 'real_server', at: e.at, vs: e.vs, rs: e.rs, state: e.state, stopping: this.stopping, realServersUp: this.realServersUp(e.vs, e.rs, e.state) });
        break;
      case 'quorum':
        log.info(`VS [${e.vs}] quorum ${e.state === 'UP' ? 'gained' : 'lost'}`);
        this.quorumSubject.next({ vs: e.vs, up: e.state === 'UP' });
        if (e.script) this.runScript(`${e.vs}|${e.state}`, e.script, `virtual_server ${e.vs} quorum_${e.state.toLowerCase()}`);
        this.fifoLine(e.vs, undefined, e.state);
        this.mailQuorum(e.vs, e.state === 'UP');
        this.scripts?.tell?.({ kind: 'quorum', at: e.at, vs: e.vs, state: e.state, stopping: this.stopping, realServersUp: this.realServersUp(e.vs) });
        break;
      case 'stopped':
        // Only the SNMP notification (observe/snmp/check-traps.ts), as keepalived sends it whatever omega says.
        if (e.rs !== undefined) {
          this.downAtStop.add(`${e.vs}|${e.rs}`);
          this.scripts?.tell?.({ kind: 'real_server', at: e.at, vs: e.vs, rs: e.rs, state: 'DOWN', stopping: true, realServersUp: this.realServersUp(e.vs, e.rs, 'DOWN') });
        } else {
          this.scripts?.tell?.({ kind: 'quorum', at: e.at, vs: e.vs, state: 'DOWN', stopping: true, realServersUp: this.realServersUp(e.vs) });
        }
        break;
      case 'checker':
        this.mailChecker(e);
        break;
      case 'suspend':
        log.info(`VS [${e.vs}] checkers ${e.suspended ? 'suspended (ha_suspend: not master)' : 'resumed'}`);
        break;
      case 'failure':
        // keepalived log_all_failures / checker_log_all_failures (check_tcp.c, check_http.c, …: LOG_INFO).
        log.info(`${checkerName(e.checker)} failed: ${e.detail}`);
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

  /**
   * How many real servers of a virtual server are alive, `rs` counted as `state` says (its virtual server hears of
   * it after its notification), those that went down while vigil stops not (keepalived UNSET_ALIVE, then notifies).
   */
  private realServersUp(vsKey: string, rsKey?: string, state?: 'UP' | 'DOWN'): number {
    let up = 0;
    for (const [key, m] of Object.entries(this.runner(vsKey)?.context.members ?? {})) {
      if (key === rsKey ? state === 'UP' : m.alive && !this.downAtStop.has(`${vsKey}|${key}`)) up++;
    }
    return up;
  }

  /** A virtual server's runner, also while it is being stopped. */
  private runner(vsKey: string): VirtualServerRunner | undefined {
    return (this.health ?? this.stoppingHealth)?.find(vsKey);
  }

  /** keepalived's lvs_notify_fifo lines: `VS [vip]:tcp:80 UP`, `RS [rip]:tcp:8080 [vip]:tcp:80 DOWN`. */
  private fifoLine(vsKey: string, rsKey: string | undefined, state: 'UP' | 'DOWN'): void {
    const write = this.scripts?.fifo;
    if (!write) return;
    const vs = this.runner(vsKey)?.vs;
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
    this.mapMailNames(runner, vs);
    if (vs.quorumUp) this.notifyScripts.set(`${key}|UP`, vs.quorumUp);
    if (vs.quorumDown) this.notifyScripts.set(`${key}|DOWN`, vs.quorumDown);
    runner.vs.realServers.forEach((rs, j) => {
      const configured = vs.realServers[j];
      if (configured?.notifyUp) this.notifyScripts.set(`${key}|${rs.key}|UP`, configured.notifyUp);
      if (configured?.notifyDown) this.notifyScripts.set(`${key}|${rs.key}|DOWN`, configured.notifyDown);
    });
  }

  /**
   * A checker went up or down (check_tcp.c and the others): mailed when its real server has smtp_alert and either
   * the real server's state changed with it or no_checker_emails is off. MISC_CHECK (check_misc.c) mails its first
   * result too, changed or not.
   */
  private mailChecker(e: Extract<HealthEvent, { kind: 'checker' }>): void {
    const mail = this.scripts?.mail;
    const kind = MAILING[e.checker.kind];
    if (!e.changed && !(kind === 'misc' && e.firstRun)) return;
    const names = this.mailNames.get(e.vs);
    const rs = names?.realServers.get(e.rs);
    if (!mail || kind === undefined || !names || !rs?.smtpAlert) return;
    if (e.rsWasAlive === e.rsAlive && mail.noCheckerEmails) return;
    const body = checkerBody(kind, e.up, { timedOut: /timeout|timed out/i.test(e.detail), smtpError: e.detail || undefined });
    mail.send(realServerAlert(mail.routerId, rs.name, names.vs, e.rsAlive, body));
  }

  /** ipwrapper.c do_vs_notifies: the virtual server's smtp_alert, with the threshold crossed and the live weight. */
  private mailQuorum(vsKey: string, up: boolean): void {
    const mail = this.scripts?.mail;
    const names = this.mailNames.get(vsKey);
    const runner = this.runner(vsKey);
    if (!mail || !names?.smtpAlert || !runner) return;
    const weightSum = Object.values(runner.context.members).reduce((sum, m) => sum + (m.alive ? m.weight : 0), 0);
    mail.send(quorumAlert(mail.routerId, names.vs, { up, init: false, stopping: this.stopping, quorum: runner.vs.quorum, hysteresis: runner.vs.hysteresis, weightSum }));
  }

  private mailRemoved(vsKey: string, rsKey: string): void {
    const mail = this.scripts?.mail;
    const names = this.mailNames.get(vsKey);
    const rs = names?.realServers.get(rsKey);
    if (!mail || !names || !rs?.smtpAlert) return;
    mail.send(realServerRemovedAlert(mail.routerId, rs.name, names.vs, true));
  }

  private mapMailNames(runner: VirtualServerRunner, vs: VirtualServer): void {
    const protocol = vs.protocol.toLowerCase();
    const a = vs.address;
    const vsName = virtualServerText(
      a.kind === 'ip' ? { kind: 'address', address: a.ip, protocol, port: a.port } : a.kind === 'fwmark' ? { kind: 'fwmark', fwmark: a.fwmark } : { kind: 'group', name: a.group, port: 0 },
    );
    const realServers = new Map<string, { name: string; smtpAlert: boolean }>();
    runner.vs.realServers.forEach((rs, j) => {
      realServers.set(rs.key, { name: serviceTrio(rs.address, protocol, rs.port), smtpAlert: vs.realServers[j]?.smtpAlert ?? false });
    });
    this.mailNames.set(runner.vs.key, { vs: vsName, protocol, smtpAlert: vs.smtpAlert ?? false, realServers });
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

/** A checker id (`VS|RS|n:TYPE`, actors/checks/resolve-checkers.ts) as keepalived names it in the log. */
function checkerName(id: string): string {
  const [vs, rs, which] = id.split('|');
  const type = which?.slice(which.indexOf(':') + 1) ?? 'checker';
  return rs === undefined ? id : `${type} on service [${rs}] of VS [${vs}]`;
}
