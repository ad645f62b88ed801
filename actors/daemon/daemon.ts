/**
 * The composition root of `vigil run`: reads the configuration, prepares the host (interfaces, leftover VIPs,
 * statics, VMACs, thread scheduling), resolves script users and loads the checker side, and builds the node on
 * the transports it is given with the assembly the simulator uses too (actors/node-assembly.ts); handles reload
 * and shutdown. The same class runs on real transports (cli/run-command.ts) and on simulated ones (tests, the
 * live page's test).
 */
import type { Subscription } from 'rxjs';
import { ConfigLoadError, loadConfigFile } from '../../config/load.js';
import { Bus } from '../bus.js';
import { nodeSpec, vipFirewallSettings, type KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { VrrpInstanceSpec } from '../vrrp/instance-spec.js';
import { NodeAssembly } from '../node-assembly.js';
import type { DaemonStatus } from '../status.js';
import type { DaemonEnvironment, DaemonOptions, RunAs, ScriptUsers } from '../environment.js';
import { HostSetup } from './host-setup.js';
import { loadChecks } from './daemon-checks.js';
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

export type ReloadResult =
  | { readonly ok: true; readonly kept: readonly string[]; readonly started: readonly string[]; readonly stopped: readonly string[] }
  | { readonly ok: false; readonly error: string };

export class VigilDaemon {
  readonly bus = new Bus();
  private current: NodeAssembly | undefined;
  private readonly host: HostSetup;
  private logSubscription: Subscription | undefined;
  private reloads = 0;
  private config: KeepalivedConfig | undefined;

  constructor(
    private readonly env: DaemonEnvironment,
    private readonly options: DaemonOptions,
  ) {
    this.host = new HostSetup(env);
  }

  /** The node this daemon runs, as the assembly built it (undefined before start and after stop). */
  get assembly(): NodeAssembly | undefined {
    return this.current;
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
      // Before the first advertisement: VIPs a crashed vigil left behind go, statics and VMACs are in place.
      await this.host.removeLeftovers(spec.instances);
      await this.host.applyStatics(config);
      await this.host.createVmacs(spec.instances);
    }
    const assembly = new NodeAssembly(this.env, this.bus, {
      name: this.options.nodeName,
      config,
      users: await this.scriptUsers(config),
      scriptTimeoutMs: this.options.scriptTimeoutMs,
    });
    this.current = assembly;
    if (vrrp) assembly.start();
    if (!this.options.vrrpOnly) await this.startChecks(assembly, config);
    if (vrrp) warmTakeoverPath(spec.instances, (i) => this.env.addresses.primaryAddress(i.interface, i.family));
    if (vrrp) this.noteFirewall(config, spec.instances);
    this.env.log.info(`started ${vrrp ? spec.instances.length : 0} VRRP instance(s) and ${assembly.virtualServerCount} virtual server(s) from ${this.options.configFile}`);
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
    const assembly = this.current;
    if (!assembly) return { ok: false, error: 'not running' };
    this.reloads++;
    const nextSpec = nodeSpec(next);
    await this.host.createVmacs(nextSpec.instances);
    const users = await this.scriptUsers(next);
    const result = assembly.reconfigure(next, users);
    await assembly.settled();
    await this.host.removeUnusedVmacs(nextSpec.instances);
    if (!this.options.vrrpOnly && JSON.stringify(lvsPart(this.config)) !== JSON.stringify(lvsPart(next))) {
      // A changed checker configuration starts anew; the load balancer converges from the rules in place, so
      // unchanged services are not touched in the kernel.
      await assembly.detachChecks(false);
      await this.startChecks(assembly, next);
    }
    this.config = next;
    this.env.log.info(`reloaded: kept ${result.kept.length}, started ${result.started.length}, stopped ${result.stopped.length}`);
    return { ok: true, ...result };
  }

  status(): DaemonStatus {
    const assembly = this.current;
    return {
      pid: this.env.pid,
      config_file: this.options.configFile,
      reloads: this.reloads,
      instances: assembly?.instanceStatuses() ?? [],
      scripts: assembly?.scriptStatuses() ?? [],
      virtual_servers: assembly?.virtualServerStatuses() ?? [],
      drops: { ...(assembly?.node.nodeDrops ?? {}) },
    };
  }

  /** SIGTERM: masters send priority 0 and release their addresses; resolves once the addresses are gone. */
  async stop(): Promise<void> {
    // Priority 0 first (RFC 5798 §6.4.3): the backups' Skew_Time starts with it, everything else can wait.
    const assembly = this.current;
    this.current = undefined;
    assembly?.stop();
    await assembly?.detachChecks(true);
    await assembly?.settled();
    await assembly?.closeFirewall();
    await this.host.removeUnusedVmacs([]);
    if (this.config) await this.host.removeStatics(this.config);
    assembly?.detach();
    this.logSubscription?.unsubscribe();
  }

  /** Which instances drop traffic to their addresses while master, and where (keepalived logs the same at start). */
  private noteFirewall(config: KeepalivedConfig, instances: readonly VrrpInstanceSpec[]): void {
    const names = instances.filter((i) => i.firewalled.length > 0).map((i) => i.name);
    if (names.length === 0) return;
    const table = vipFirewallSettings(config.globalDefs).table;
    if (this.env.vipFirewall) this.env.log.info(`no_accept / vrrp_strict: traffic to the addresses of ${names.join(', ')} is dropped while master (nftables table ${table})`);
    else this.env.log.warn(`no_accept / vrrp_strict: this host has no VIP firewall, traffic to the addresses of ${names.join(', ')} is accepted`);
  }

  /** The checker side, when the configuration has virtual servers and the host can check them. */
  private async startChecks(assembly: NodeAssembly, config: KeepalivedConfig): Promise<void> {
    const checks = await loadChecks(this.env, config, this.options.scriptTimeoutMs);
    if (checks) assembly.attachChecks(checks);
  }

  /** global_defs script_user and each tracked vrrp_script's own `user`, resolved once. */
  private async scriptUsers(config: KeepalivedConfig): Promise<ScriptUsers> {
    const byScript = new Map<string, RunAs | undefined>();
    const tracked = new Set(config.vrrpInstances.flatMap((i) => i.trackScripts.map((t) => t.name)));
    for (const s of config.vrrpScripts) {
      if (s.script && s.user && tracked.has(s.name)) byScript.set(s.name, await this.env.resolveUser?.(s.user));
    }
    return { scriptUser: await this.scriptUser(config), byScript };
  }

  private async scriptUser(config: KeepalivedConfig): Promise<RunAs | undefined> {
    const scriptUser = config.globalDefs.scriptUser;
    if (!scriptUser) return undefined;
    const resolved = await this.env.resolveUser?.(scriptUser.user, scriptUser.group);
    if (!resolved) this.env.log.warn(`script_user ${scriptUser.user}: no such user; scripts run as this process's user`);
    return resolved;
  }
}
