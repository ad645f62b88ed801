/**
 * The composition root of `vigil run`: reads the configuration and builds, on the transports it is given, the
 * VRRP node, the tracked objects, the notifier and the checker side; handles reload and shutdown. The same class
 * runs on real transports (cli/run-command.ts) and on simulated ones (tests, the live page's test).
 */
import type { Subscription } from 'rxjs';
import { ConfigLoadError, loadConfigFile } from '../../config/load.js';
import type { Script } from '../../config/model.js';
import { Bus } from '../bus.js';
import { nodeSpec, type KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { VrrpNode } from '../vrrp/vrrp-node.js';
import { Notifier, type NotifyScripts } from '../vrrp/notifier.js';
import { instanceStatuses, type DaemonStatus } from '../status.js';
import { DEFAULT_SCRIPT_TIMEOUT_MS, type DaemonEnvironment, type DaemonOptions } from '../environment.js';
import { HostSetup } from './host-setup.js';
import { DaemonTrackers } from '../trackers/trackers.js';
import { DaemonChecks } from './daemon-checks.js';
import { logBusMessage } from './log.js';
import { warmTakeoverPath } from '../vrrp/warm-up.js';

/**
 * The VRRP thread's fair-scheduler slice (µs) when it is not realtime: the kernel's shortest. The thread runs for
 * microseconds per advertisement; with a slice shorter than the running thread's, Linux 6.12+ lets it take the CPU
 * as soon as its timer wakes it rather than at the end of that slice (1.4 ms by default on two CPUs).
 */
export const VRRP_SLICE_US = 100;

export type { CheckerSide, DaemonEnvironment, DaemonLog, DaemonOptions, VmacManager } from '../environment.js';

/** The part of a configuration the checker side is built from (a reload restarts it only when this changed). */
function lvsPart(config: KeepalivedConfig | undefined): unknown {
  return config ? [config.virtualServers, config.virtualServerGroups, config.globalDefs.lvsBackend, config.ssl] : undefined;
}

type NotifyOwner = { notifyMaster?: Script | undefined; notifyBackup?: Script | undefined; notifyFault?: Script | undefined; notifyStop?: Script | undefined; notify?: Script | undefined };

function notifyScripts(o: NotifyOwner): NotifyScripts {
  return { notifyMaster: o.notifyMaster?.command, notifyBackup: o.notifyBackup?.command, notifyFault: o.notifyFault?.command, notifyStop: o.notifyStop?.command, notify: o.notify?.command };
}

function notifyTables(config: KeepalivedConfig): { instances: Map<string, NotifyScripts>; groups: Map<string, NotifyScripts> } {
  return {
    instances: new Map(config.vrrpInstances.map((i) => [i.name, notifyScripts(i)])),
    groups: new Map(config.vrrpSyncGroups.map((g) => [g.name, notifyScripts(g)])),
  };
}

export type ReloadResult =
  | { readonly ok: true; readonly kept: readonly string[]; readonly started: readonly string[]; readonly stopped: readonly string[] }
  | { readonly ok: false; readonly error: string };

export class VigilDaemon {
  readonly bus = new Bus();
  private node: VrrpNode | undefined;
  private notifier: Notifier | undefined;
  private readonly host: HostSetup;
  private readonly trackers: DaemonTrackers;
  private readonly checks: DaemonChecks;
  private logSubscription: Subscription | undefined;
  private reloads = 0;
  private config: KeepalivedConfig | undefined;

  constructor(
    private readonly env: DaemonEnvironment,
    private readonly options: DaemonOptions,
  ) {
    this.host = new HostSetup(env);
    this.trackers = new DaemonTrackers(env, (id, up, value) => this.node?.track(id, up, value), (config) => this.scriptUser(config));
    this.checks = new DaemonChecks(env, this.bus, options.scriptTimeoutMs);
  }

  /** Reads the configuration and starts every instance. Throws ConfigLoadError on a bad configuration. */
  async start(): Promise<void> {
    const { config, warnings } = loadConfigFile(this.options.configFile, this.options);
    for (const w of warnings) this.env.log.warn(w);
    const vrrp = !this.options.checkersOnly;
    if (vrrp) this.host.checkInterfaces(config);
    this.config = config;
    this.logSubscription = this.bus.messages$.subscribe((m) => logBusMessage(this.env.log, m));
    const spec = nodeSpec(config);
    if (vrrp) {
      const g = config.globalDefs;
      const failed =
        this.env.applyScheduling?.({ nice: g.vrrpPriority, realtimePriority: g.vrrpRtPriority, rlimitRttimeUs: g.vrrpRlimitRttime, sliceUs: VRRP_SLICE_US }) ?? [];
      for (const f of failed) this.env.log.warn(`VRRP thread scheduling: ${f}`);
      await this.host.removeLeftovers(spec.instances);
      await this.host.applyStatics(config);
      await this.host.createVmacs(spec.instances);
    }
    this.node = new VrrpNode(this.options.nodeName, spec, this.env, this.bus, this.env.inspect);
    this.notifier = new Notifier({
      ...notifyTables(config),
      runner: this.env.processes,
      timeoutMs: this.options.scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS,
      user: await this.scriptUser(config),
      writeFifo: this.fifoOf(config),
      log: (level, message) => this.env.log[level](message),
    });
    this.notifier.attach(this.bus);
    if (vrrp) {
      this.node.start();
      await this.trackers.start(config);
    }
    if (!this.options.vrrpOnly) await this.checks.start(config, this.masters());
    if (vrrp) warmTakeoverPath(spec.instances, (i) => this.env.addresses.primaryAddress(i.interface, i.family));
    this.env.log.info(`started ${vrrp ? spec.instances.length : 0} VRRP instance(s) and ${this.checks.virtualServerCount} virtual server(s) from ${this.options.configFile}`);
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
      this.host.checkInterfaces(loaded.config);
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
    await this.host.createVmacs(nextSpec.instances);
    const result = node.reconfigure(nextSpec);
    await node.settled();
    await this.host.removeUnusedVmacs(nextSpec.instances);
    const tables = notifyTables(next);
    this.notifier?.update(tables.instances, tables.groups);
    await this.trackers.reload(this.config, next);
    if (!this.options.vrrpOnly && JSON.stringify(lvsPart(this.config)) !== JSON.stringify(lvsPart(next))) {
      // A changed checker configuration starts anew; the load balancer converges from the rules in place, so
      // unchanged services are not touched in the kernel.
      await this.checks.stop(false);
      await this.checks.start(next, this.masters());
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
      scripts: this.trackers.scriptStatuses(),
      virtual_servers: this.checks.statuses(),
      drops: { ...(this.node?.nodeDrops ?? {}) },
    };
  }

  /** SIGTERM: masters send priority 0 and release their addresses; resolves once the addresses are gone. */
  async stop(): Promise<void> {
    // Priority 0 first (RFC 5798 §6.4.3): the backups' Skew_Time starts with it, everything else can wait.
    const node = this.node;
    this.node = undefined;
    node?.stop();
    this.trackers.stop();
    await this.checks.stop(true);
    await node?.settled();
    await this.host.removeUnusedVmacs([]);
    if (this.config) await this.host.removeStatics(this.config);
    this.notifier?.detach();
    this.logSubscription?.unsubscribe();
  }

  private masters(): Set<string> {
    return new Set(this.node ? [...this.node.runners.values()].filter((r) => r.state === 'MASTER').map((r) => r.spec.name) : []);
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
}
