/**
 * The composition root of `vigil run`: reads the configuration, builds the VRRP node, the tracked scripts and the
 * notifier on the transports it is given, and handles reload and shutdown. The same class runs on real transports
 * (cli/run-command.ts) and on simulated ones.
 */
import type { Subscription } from 'rxjs';
import type { InspectionEvent } from 'xstate';
import type { Clock } from '../transport/clock.js';
import type { AddressManager, Announcer } from '../transport/address-manager.js';
import type { VrrpLink } from '../transport/vrrp-link.js';
import { splitCommandLine, type ProcessRunner } from '../transport/process-runner.js';
import type { RouteManager } from '../transport/routes.js';
import type { IpFamily } from '../transport/vrrp-link.js';
import { PolledTracker, countMatching, parseTrackFile } from './polled-tracker.js';
import type { Random } from '../transport/random.js';
import type { LoadBalancerBackend } from '../transport/lb/desired-state.js';
import type { CheckerHost } from './checker-host.js';
import type { HealthChecks, HealthEvent } from './health-checks.js';
import { ConfigLoadError, loadConfigFile, type LoadOptions } from '../config/load.js';
import { Bus, type BusMessage } from './bus.js';
import { nodeSpec, routeSpec, ruleSpec, type KeepalivedConfig } from './instance-specs.js';
import type { VrrpInstanceSpec } from './vrrp-instance-spec.js';
import type { Script } from '../config/model.js';
import { VrrpNode } from './vrrp-node.js';
import { Notifier, type NotifyScripts } from './notifier.js';
import { ScriptTracker } from './script-tracker.js';
import { instanceStatuses, virtualServerStatuses, type DaemonStatus } from './status.js';

export interface DaemonLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface DaemonEnvironment {
  readonly clock: Clock;
  readonly link: VrrpLink;
  readonly addresses: AddressManager;
  readonly announcer: Announcer;
  readonly processes: ProcessRunner;
  readonly log: DaemonLog;
  readonly pid: number;
  readonly resolveUser?: (user: string, group?: string) => Promise<{ uid: number; gid: number } | undefined>;
  readonly openFifo?: (path: string) => ((line: string) => void) | undefined;
  /** virtual_routes/virtual_rules and static_routes/static_rules. */
  readonly routes?: RouteManager | undefined;
  /** use_vmac: macvlan interfaces with the virtual router MAC. */
  readonly vmacs?: VmacManager | undefined;
  /** track_file: the file's text, undefined when it cannot be read. */
  readonly readFile?: ((path: string) => Promise<string | undefined>) | undefined;
  /** Names of the interfaces that exist now (checked at start and reload, as keepalived does). */
  readonly interfaces?: (() => readonly string[]) | undefined;
  /**
   * The checker side (virtual servers, real servers, checkers, kernel load balancer); absent where the host has
   * none. `host` runs the checkers (a worker thread in the daemon); `backend` is chosen from lvs_backend.
   */
  readonly checks?: (() => Promise<CheckerSide>) | undefined;
  /** track_process: the processes running now. */
  readonly listProcesses?: (() => Promise<readonly { comm: string; argv: readonly string[] }[]>) | undefined;
  readonly inspect?: (event: InspectionEvent) => void;
}

/** The checker side's transports, loaded only when a configuration has virtual servers (start-up time). */
export interface CheckerSide {
  readonly random: Random;
  readonly host: () => CheckerHost;
  readonly backend: (setting: 'auto' | 'ipvs' | 'nftables') => Promise<{ backend: LoadBalancerBackend; statement: string }>;
}

/** Creates and removes use_vmac interfaces (NetlinkVmac on a real host). */
export interface VmacManager {
  create(options: { parent: string; vrid: number; family: IpFamily; name: string }): Promise<unknown>;
  remove(name: string): Promise<void>;
}

/** How often track_file and track_process look (keepalived is event driven; one second is its resolution). */
const TRACK_POLL_MS = 1000;

export interface DaemonOptions extends LoadOptions {
  /** keepalived -P: VRRP only. */
  readonly vrrpOnly?: boolean;
  /** keepalived -C: checkers only. */
  readonly checkersOnly?: boolean;
  readonly configFile: string;
  /** Name of this node in bus messages (keepalived's router_id, else the host name). */
  readonly nodeName: string;
  /** Notify scripts are killed after this long (keepalived runs them unbounded; we never let one hang). */
  readonly scriptTimeoutMs?: number;
}

const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000;

/** The part of a configuration the checker side is built from (a reload restarts it only when this changed). */
function lvsPart(config: KeepalivedConfig | undefined): unknown {
  return config ? [config.virtualServers, config.virtualServerGroups, config.globalDefs.lvsBackend, config.ssl] : undefined;
}

export type ReloadResult =
  | { readonly ok: true; readonly kept: readonly string[]; readonly started: readonly string[]; readonly stopped: readonly string[] }
  | { readonly ok: false; readonly error: string };

export class VigilDaemon {
  readonly bus = new Bus();
  private node: VrrpNode | undefined;
  private notifier: Notifier | undefined;
  private readonly scripts = new Map<string, ScriptTracker>();
  private readonly polled = new Map<string, PolledTracker>();
  private health: HealthChecks | undefined;
  private healthSubscription: Subscription | undefined;
  private vrrpToHealth: Subscription | undefined;
  private readonly vmacsCreated = new Set<string>();
  private logSubscription: Subscription | undefined;
  private reloads = 0;
  private config: KeepalivedConfig | undefined;

  constructor(
    private readonly env: DaemonEnvironment,
    private readonly options: DaemonOptions,
  ) {}

  /** Reads the configuration and starts every instance. Throws ConfigLoadError on a bad configuration. */
  async start(): Promise<void> {
    const { config, warnings } = loadConfigFile(this.options.configFile, this.options);
    for (const w of warnings) this.env.log.warn(w);
    if (!this.options.checkersOnly) this.checkInterfaces(config);
    this.config = config;
    this.logSubscription = this.bus.messages$.subscribe((m) => this.logMessage(m));
    const spec = nodeSpec(config);
    if (!this.options.checkersOnly) {
      await this.removeLeftovers(config);
      await this.applyStatics(config);
      await this.createVmacs(spec.instances);
    }
    this.node = new VrrpNode(this.options.nodeName, spec, this.env, this.bus, this.env.inspect);
    this.notifier = new Notifier({
      ...(await this.notifyTables(config)),
      runner: this.env.processes,
      timeoutMs: this.options.scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS,
      user: await this.scriptUser(config),
      writeFifo: this.fifoOf(config),
      log: (level, message) => this.env.log[level](message),
    });
    this.notifier.attach(this.bus);
    if (!this.options.checkersOnly) {
      this.node.start();
      await this.startScripts(config);
      this.startPolledTrackers(config);
    }
    if (!this.options.vrrpOnly) await this.startHealthChecks(config);
    const vrrpCount = this.options.checkersOnly ? 0 : spec.instances.length;
    this.env.log.info(`started ${vrrpCount} VRRP instance(s) and ${this.health?.virtualServers.length ?? 0} virtual server(s) from ${this.options.configFile}`);
  }

  /**
   * SIGHUP: re-read the configuration. Unchanged instances keep their state and addresses; removed ones stop
   * (priority 0, addresses released); a configuration with errors is rejected and the running one stays.
   */
  async reload(): Promise<ReloadResult> {
    let next: KeepalivedConfig;
    try {
      const loaded = loadConfigFile(this.options.configFile, this.options);
      for (const w of loaded.warnings) this.env.log.warn(w);
      this.checkInterfaces(loaded.config);
      next = loaded.config;
    } catch (err) {
      const error = err instanceof ConfigLoadError ? err.message : String(err);
      this.env.log.error(`reload rejected, the running configuration stays: ${error}`);
      return { ok: false, error };
    }
    const node = this.node;
    if (!node) return { ok: false, error: 'not running' };
    this.reloads++;
    const nextSpec = nodeSpec(next);
    await this.createVmacs(nextSpec.instances);
    const result = node.reconfigure(nextSpec);
    await node.settled();
    await this.removeUnusedVmacs(nextSpec.instances);
    const tables = await this.notifyTables(next);
    this.notifier?.update(tables.instances, tables.groups);
    // Scripts are cheap to restart, but an unchanged one keeps its status (no flap of weights).
    const before = JSON.stringify(this.config?.vrrpScripts ?? []);
    if (before !== JSON.stringify(next.vrrpScripts)) {
      this.stopScripts();
      await this.startScripts(next);
    }
    if (!this.options.vrrpOnly && JSON.stringify(lvsPart(this.config)) !== JSON.stringify(lvsPart(next))) {
      // A changed checker configuration starts anew; the load balancer converges from the rules in place, so
      // unchanged services are not touched in the kernel.
      await this.stopHealthChecks(false);
      await this.startHealthChecks(next);
    }
    if (JSON.stringify([this.config?.trackFiles, this.config?.trackProcesses]) !== JSON.stringify([next.trackFiles, next.trackProcesses])) {
      this.stopPolledTrackers();
      this.startPolledTrackers(next);
    }
    this.config = next;
    this.env.log.info(`reloaded: kept ${result.kept.length}, started ${result.started.length}, stopped ${result.stopped.length}`);
    return { ok: true, ...result };
  }

  status(): DaemonStatus {
    return {
      pid: this.env.pid,
      config_file: this.options.configFile,
      reloads: this.reloads,
      instances: this.node ? instanceStatuses(this.node) : [],
      scripts: [...this.scripts.values()].map((s) => ({ name: s.spec.name, up: s.up })),
      virtual_servers: virtualServerStatuses(this.health?.virtualServers ?? []),
      drops: { ...(this.node?.nodeDrops ?? {}) },
    };
  }

  /** SIGTERM: masters send priority 0 and release their addresses; resolves once the addresses are gone. */
  async stop(): Promise<void> {
    this.stopScripts();
    this.stopPolledTrackers();
    await this.stopHealthChecks(true);
    const node = this.node;
    this.node = undefined;
    if (node) {
      node.stop();
      await node.settled();
    }
    await this.removeUnusedVmacs([]);
    if (this.config) await this.removeStatics(this.config);
    this.notifier?.detach();
    this.logSubscription?.unsubscribe();
  }

  private async removeLeftovers(config: KeepalivedConfig): Promise<void> {
    // A vigil that crashed leaves its VIPs behind; keepalived removes configured VIPs at start too. The interface's
    // own primary address is never touched (an address owner's VIP may be its real address).
    const spec = nodeSpec(config);
    for (const instance of spec.instances) {
      for (const vip of instance.virtualAddresses) {
        if (this.env.addresses.primaryAddress(vip.interface, vip.family) === vip.address) continue;
        await this.env.addresses.removeAddress(vip).catch((err: unknown) => this.env.log.debug(`cleanup of ${vip.address}: ${String(err)}`));
      }
    }
  }

  private async startHealthChecks(config: KeepalivedConfig): Promise<void> {
    if (config.virtualServers.length === 0) return;
    // The checker side is loaded only when there is something to check: a VRRP-only daemon starts faster.
    const [{ HealthChecks }, { virtualServerSpecs }] = await Promise.all([import('./health-checks.js'), import('./lvs-specs.js')]);
    const specs = virtualServerSpecs(config);
    const checks = await this.env.checks?.();
    if (!checks) {
      this.env.log.warn(`${specs.length} virtual server(s) configured, but no checker support on this host`);
      return;
    }
    for (const vs of config.virtualServers) {
      for (const rs of vs.realServers) {
        for (const c of rs.checkers) if (c.type === 'BFD_CHECK') this.env.log.warn(`${c.at.file}:${c.at.line}: BFD_CHECK is not supported; ignored`);
      }
    }
    let selection: { backend: LoadBalancerBackend; statement: string };
    try {
      selection = await checks.backend(config.globalDefs.lvsBackend ?? 'auto');
    } catch (err) {
      this.env.log.error(`no load balancer: ${err instanceof Error ? err.message : String(err)}; virtual servers are not programmed`);
      return;
    }
    this.env.log.info(selection.statement);
    const masters = new Set(this.node ? [...this.node.runners.values()].filter((r) => r.state === 'MASTER').map((r) => r.spec.name) : []);
    const health = new HealthChecks({ clock: this.env.clock, random: checks.random, host: checks.host(), backend: selection.backend, mastersAtStart: masters, inspect: this.env.inspect });
    this.healthSubscription = health.events$.subscribe((e) => this.healthEvent(e));
    health.start(specs);
    this.health = health;
    // ha_suspend: virtual servers follow the state of the VRRP instance that holds their address.
    this.vrrpToHealth = this.bus.messages$.subscribe((m) => {
      if (m.kind === 'transition') this.health?.vrrpState(m.instance, m.to);
    });
  }

  private async stopHealthChecks(clearRules: boolean): Promise<void> {
    const health = this.health;
    this.health = undefined;
    this.vrrpToHealth?.unsubscribe();
    if (!health) return;
    if (clearRules) await health.stop();
    else await health.stopKeepingRules();
    this.healthSubscription?.unsubscribe();
  }

  /** Checker news to the log, and keepalived's notify_up / notify_down / quorum_up / quorum_down scripts. */
  private healthEvent(e: HealthEvent): void {
    const log = this.env.log;
    switch (e.kind) {
      case 'real_server':
        log.info(`${e.state === 'UP' ? 'Adding' : 'Removing'} service [${e.rs}] ${e.state === 'UP' ? 'to' : 'from'} VS [${e.vs}]`);
        if (e.script) this.runScript(e.script, `real server ${e.rs} ${e.state}`);
        break;
      case 'quorum':
        log.info(`VS [${e.vs}] quorum ${e.state === 'UP' ? 'gained' : 'lost'}`);
        if (e.script) this.runScript(e.script, `quorum ${e.vs} ${e.state}`);
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

  private runScript(line: string, what: string): void {
    void this.env.processes.run({ argv: splitCommandLine(line), timeoutMs: this.options.scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS }).then((outcome) => {
      if (outcome.kind === 'exited' && outcome.code === 0) return;
      this.env.log.warn(`${what}: ${line}: ${outcome.kind === 'exited' ? `exit ${outcome.code}` : outcome.kind}`);
    });
  }

  /** keepalived refuses a configuration whose VRRP interface does not exist (keepalived -t exit 4). */
  private checkInterfaces(config: KeepalivedConfig): void {
    const list = this.env.interfaces?.();
    if (!list) return;
    const known = new Set(list);
    for (const i of config.vrrpInstances) {
      if (!known.has(i.interface)) throw new ConfigLoadError(`${i.at.file}:${i.at.line}: vrrp_instance ${i.name}: interface ${i.interface} does not exist`);
    }
  }

  /** static_ipaddress, static_routes, static_rules: set at start, whatever the VRRP state (keepalived.conf(5)). */
  private async applyStatics(config: KeepalivedConfig): Promise<void> {
    for (const a of config.staticIpAddresses) {
      if (!a.dev) continue;
      await this.env.addresses
        .addAddress({ address: a.address, prefix: a.prefix, family: a.family, interface: a.dev, scope: a.scope, label: a.label, broadcast: a.broadcast })
        .catch((err: unknown) => this.env.log.warn(`static_ipaddress ${a.address}: ${String(err)}`));
    }
    const routes = this.env.routes;
    if (!routes) return;
    for (const r of config.staticRoutes) await routes.addRoute(routeSpec(r)).catch((err: unknown) => this.env.log.warn(`static_routes ${r.destination}: ${String(err)}`));
    for (const r of config.staticRules) await routes.addRule(ruleSpec(r)).catch((err: unknown) => this.env.log.warn(`static_rules: ${String(err)}`));
  }

  private async removeStatics(config: KeepalivedConfig): Promise<void> {
    const routes = this.env.routes;
    if (routes) {
      for (const r of config.staticRules) await routes.removeRule(ruleSpec(r)).catch(() => undefined);
      for (const r of config.staticRoutes) await routes.removeRoute(routeSpec(r)).catch(() => undefined);
    }
    for (const a of config.staticIpAddresses) {
      if (!a.dev) continue;
      await this.env.addresses.removeAddress({ address: a.address, prefix: a.prefix, family: a.family, interface: a.dev }).catch(() => undefined);
    }
  }

  private async createVmacs(instances: readonly VrrpInstanceSpec[]): Promise<void> {
    for (const i of instances) {
      if (!i.vmac || this.vmacsCreated.has(i.vmac.name)) continue;
      if (!this.env.vmacs) {
        this.env.log.warn(`(${i.name}) use_vmac: no VMAC support on this host; ${i.vmac.name} not created`);
        continue;
      }
      try {
        await this.env.vmacs.create({ parent: i.interface, vrid: i.vrid, family: i.family, name: i.vmac.name });
        this.vmacsCreated.add(i.vmac.name);
        this.env.log.info(`(${i.name}) created VMAC interface ${i.vmac.name} on ${i.interface}`);
      } catch (err) {
        this.env.log.error(`(${i.name}) cannot create VMAC ${i.vmac.name}: ${String(err)}`);
      }
    }
  }

  /** VMAC interfaces no instance uses any more are deleted (keepalived removes them on stop). */
  private async removeUnusedVmacs(instances: readonly VrrpInstanceSpec[]): Promise<void> {
    const used = new Set(instances.flatMap((i) => (i.vmac ? [i.vmac.name] : [])));
    for (const name of [...this.vmacsCreated]) {
      if (used.has(name)) continue;
      await this.env.vmacs?.remove(name).catch((err: unknown) => this.env.log.warn(`cannot remove VMAC ${name}: ${String(err)}`));
      this.vmacsCreated.delete(name);
    }
  }

  /** vrrp_track_file and track_process blocks that some instance tracks become polled trackers. */
  private startPolledTrackers(config: KeepalivedConfig): void {
    const onStatus = (id: string, seen: { up: boolean; value?: number | undefined }): void => {
      this.env.log.info(`${id} is ${seen.value !== undefined ? `now ${seen.value}` : seen.up ? 'up' : 'down'}`);
      this.node?.track(id, seen.up, seen.value);
    };
    const env = { clock: this.env.clock, onStatus, inspect: this.env.inspect };
    const trackedFiles = new Set(config.vrrpInstances.flatMap((i) => i.trackFiles.map((t) => t.name)));
    const readFile = this.env.readFile;
    for (const f of config.trackFiles) {
      if (!trackedFiles.has(f.name) || !readFile) continue;
      const tracker = new PolledTracker(`file:${f.name}`, TRACK_POLL_MS, async () => parseTrackFile(await readFile(f.file)), env);
      this.polled.set(`file:${f.name}`, tracker);
      tracker.start();
    }
    const trackedProcesses = new Set(config.vrrpInstances.flatMap((i) => i.trackProcesses.map((t) => t.name)));
    const list = this.env.listProcesses;
    for (const p of config.trackProcesses) {
      if (!trackedProcesses.has(p.name) || !list) continue;
      const look = async (): Promise<{ up: boolean }> => {
        const n = countMatching(await list(), p);
        return { up: n >= p.quorum && (p.quorumMax === undefined || n <= p.quorumMax) };
      };
      const tracker = new PolledTracker(`process:${p.name}`, TRACK_POLL_MS, look, env);
      this.polled.set(`process:${p.name}`, tracker);
      tracker.start();
    }
  }

  private stopPolledTrackers(): void {
    for (const t of this.polled.values()) t.stop();
    this.polled.clear();
  }

  private async startScripts(config: KeepalivedConfig): Promise<void> {
    const tracked = new Set(config.vrrpInstances.flatMap((i) => i.trackScripts.map((t) => t.name)));
    for (const s of config.vrrpScripts) {
      if (!s.script || !tracked.has(s.name)) continue;
      const intervalMs = s.interval * 1000;
      const tracker = new ScriptTracker(
        {
          name: s.name,
          script: s.script,
          intervalMs,
          timeoutMs: s.timeout * 1000,
          rise: s.rise,
          fall: s.fall,
          initFail: s.initFail,
          user: s.user ? await this.env.resolveUser?.(s.user) : await this.scriptUser(config),
        },
        {
          clock: this.env.clock,
          runner: this.env.processes,
          inspect: this.env.inspect,
          onStatus: (name, up) => {
            this.env.log.info(`VRRP_Script(${name}) ${up ? 'succeeded' : 'failed'}`);
            this.node?.track(`script:${name}`, up);
          },
        },
      );
      this.scripts.set(s.name, tracker);
      tracker.start();
    }
  }

  private stopScripts(): void {
    for (const s of this.scripts.values()) s.stop();
    this.scripts.clear();
  }

  /** global_defs notify_fifo (or vrrp_notify_fifo): every state change as one line. */
  private fifoOf(config: KeepalivedConfig): ((line: string) => void) | undefined {
    const fifo = config.globalDefs.vrrpNotifyFifo?.command ?? config.globalDefs.notifyFifo?.command;
    return fifo ? this.env.openFifo?.(fifo) : undefined;
  }

  private async scriptUser(config: KeepalivedConfig): Promise<{ uid: number; gid: number } | undefined> {
    const scriptUser = config.globalDefs.scriptUser;
    if (!scriptUser) return undefined;
    const resolved = await this.env.resolveUser?.(scriptUser.user, scriptUser.group);
    if (!resolved) this.env.log.warn(`script_user ${scriptUser.user}: no such user; scripts run as this process's user`);
    return resolved;
  }

  private async notifyTables(config: KeepalivedConfig): Promise<{ instances: Map<string, NotifyScripts>; groups: Map<string, NotifyScripts> }> {
    const scripts = (o: { notifyMaster?: Script | undefined; notifyBackup?: Script | undefined; notifyFault?: Script | undefined; notifyStop?: Script | undefined; notify?: Script | undefined }): NotifyScripts => ({
      notifyMaster: o.notifyMaster?.command,
      notifyBackup: o.notifyBackup?.command,
      notifyFault: o.notifyFault?.command,
      notifyStop: o.notifyStop?.command,
      notify: o.notify?.command,
    });
    return {
      instances: new Map(config.vrrpInstances.map((i) => [i.name, scripts(i)])),
      groups: new Map(config.vrrpSyncGroups.map((g) => [g.name, scripts(g)])),
    };
  }

  private logMessage(m: BusMessage): void {
    const log = this.env.log;
    switch (m.kind) {
      case 'transition':
        // keepalived's wording, so existing log alerts keep matching.
        log.info(`(${m.instance}) Entering ${m.to} STATE${m.from === 'INIT' ? ' (init)' : ''}`);
        break;
      case 'vip':
        log.info(`(${m.instance}) ${m.action === 'add' ? 'Adding' : 'Removing'} VIP ${m.address}`);
        break;
      case 'warning':
        log.warn(m.instance ? `(${m.instance}) ${m.message}` : m.message);
        break;
      case 'drop':
        log.debug(`${m.instance ? `(${m.instance}) ` : ''}dropped an advertisement: ${m.reason}`);
        break;
      case 'sync':
        log.info(`VRRP_Group(${m.group}) Syncing instances to ${m.to} state`);
        break;
      default:
        break;
    }
  }
}
