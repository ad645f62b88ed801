/**
 * The composition root of `vigil run`: reads the configuration, judges its scripts against the host (their users
 * and files: what keepalived would not run does not run), runs the startup script, prepares the host (interfaces,
 * leftover VIPs, statics, VMACs, thread scheduling) and loads the checker side, and builds the node on the
 * transports it is given with the assembly the simulator uses too (actors/node-assembly.ts); handles reload and
 * shutdown (notify scripts of the stop run to their end, then the shutdown script). The same class runs on real transports (cli/run-command.ts) and on simulated ones (tests, the
 * live page's test).
 */
import type { Subscription } from 'rxjs';
import type { Clock } from '../../machines/clock.js';
import { ConfigLoadError } from '../../config/load.js';
import { Bus } from '../bus.js';
import { nodeSpec, vipFirewallSettings, type KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { VrrpInstanceSpec, VrrpNodeSpec } from '../vrrp/instance-spec.js';
import { NodeAssembly, type ReconfigureResult } from '../node-assembly.js';
import type { NodeChecks } from '../lvs/node-checks.js';
import type { DaemonStatus } from '../status.js';
import type { DaemonEnvironment, DaemonOptions } from '../environment.js';
import { loadRunnable, type LoadedRunnable } from '../runnable-config.js';
import { ScriptRunner } from '../scripts/script-runner.js';
import { HostSetup } from './host-setup.js';
import { HostSysctls } from './host-sysctls.js';
import { vrrpNetlinkBuffers } from './netlink-buffers.js';
import { loadChecks } from './daemon-checks.js';
import { logBusMessage } from './log.js';
import { warmTakeoverPath } from '../vrrp/warm-up.js';
import { vrrpThreadName } from './process-names.js';
import type { MailStats } from '../mail/mail-queue.js';

/** How long a stop waits for its e-mail alerts (the STOP ones) to go out. */
const MAIL_STOP_GRACE_MS = 5_000;

/**
 * The VRRP thread's fair-scheduler slice (µs) when it is not realtime: the kernel's shortest. The thread runs for
 * microseconds per advertisement; with a slice shorter than the running thread's, Linux 6.12+ lets it take the CPU
 * as soon as its timer wakes it rather than at the end of that slice (1.4 ms by default on two CPUs).
 */
export const VRRP_SLICE_US = 100;

export type { CheckerSide, DaemonEnvironment, DaemonLog, DaemonOptions, VmacManager } from '../environment.js';

export type ReloadResult =
  | { readonly ok: true; readonly kept: readonly string[]; readonly started: readonly string[]; readonly stopped: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** A reload that a stop overtook: it undoes what it prepared and leaves the rest to the stop. */
class ReloadAborted extends Error {}

export class VigilDaemon {
  readonly bus = new Bus();
  private current: NodeAssembly | undefined;
  private lastMailStats: MailStats | undefined;
  private readonly host: HostSetup;
  /** disable_local_igmp and promote_secondaries, on a host that has /proc/sys. */
  private readonly sysctls: HostSysctls | undefined;
  private logSubscription: Subscription | undefined;
  private linkSubscription: Subscription | undefined;
  private reloads = 0;
  /** The runnable configuration running now (actors/scripts/runnable-scripts.ts). */
  private config: KeepalivedConfig | undefined;
  /** The same, as it was loaded (its checker part's digest). */
  private running: LoadedRunnable | undefined;
  /** Every script of the daemon's life: one bound across reloads. */
  readonly scripts: ScriptRunner;
  /** The VRRP instances of the running configuration (their VMACs are made again when they go). */
  private instances: readonly VrrpInstanceSpec[] = [];
  /** The reload under way, if any (reloads run one at a time; a stop waits for the one under way). */
  private reloading: Promise<ReloadResult> | undefined;
  private stopping = false;
  /** Aborted by stop(): a configuration still being read for a reload is given up (its worker ended). */
  private readonly stopSignal = new AbortController();

  constructor(
    private readonly env: DaemonEnvironment,
    private readonly options: DaemonOptions,
  ) {
    this.host = new HostSetup(env);
    this.sysctls = env.sysctls ? new HostSysctls(env.sysctls, env.log) : undefined;
    this.scripts = new ScriptRunner(env.processes, env.log, options.scriptLimits);
  }

  /** The global settings of the configuration running now (undefined before start). */
  get globals(): KeepalivedConfig['globalDefs'] | undefined {
    return this.config?.globalDefs;
  }

  /** The configuration running now (undefined before start). */
  get runningConfig(): KeepalivedConfig | undefined {
    return this.config;
  }

  /** The node this daemon runs, as the assembly built it (undefined before start and after stop). */
  get assembly(): NodeAssembly | undefined {
    return this.current;
  }

  /** Reads the configuration and starts every instance. Throws ConfigLoadError on a bad configuration. */
  async start(): Promise<void> {
    const loaded = await this.load();
    const vrrp = !this.options.checkersOnly;
    const config = loaded.config;
    this.config = config;
    this.running = loaded;
    // keepalived runs its startup script before anything else starts, and waits for it (or its timeout).
    await this.startupOrShutdown('startup', config);
    this.logSubscription = this.bus.messages$.subscribe((m) => logBusMessage(this.env.log, m));
    const spec = nodeSpec(config);
    if (vrrp) {
      const g = config.globalDefs;
      const failed =
        this.env.applyScheduling?.({
          nice: g.vrrpPriority,
          realtimePriority: g.vrrpRtPriority,
          rlimitRttimeUs: g.vrrpRlimitRttime,
          sliceUs: VRRP_SLICE_US,
          cpus: g.vrrpCpuAffinity,
          name: vrrpThreadName(g),
          maxAutoPriority: g.maxAutoPriority,
          minAutoPriorityDelayUs: g.minAutoPriorityDelay,
        }) ?? [];
      for (const f of failed) this.env.log.warn(`VRRP thread scheduling: ${f}`);
      // Before the first advertisement: VIPs a crashed vigil left behind go, statics and VMACs are in place.
      await this.host.removeLeftovers(spec.instances);
      await this.host.applyStatics(config);
      await this.host.createVmacs(spec.instances);
      this.sysctls?.start(config);
      this.sizeNetlinkBuffers(config);
      this.instances = spec.instances;
    }
    const assembly = new NodeAssembly(this.env, this.bus, {
      name: this.options.nodeName,
      config,
      scripts: this.scripts,
      scriptTimeoutMs: this.options.scriptTimeoutMs,
    });
    this.current = assembly;
    if (vrrp) {
      assembly.start();
      // A VMAC deleted, or taken away with the interface under it, is made again once that interface is back.
      this.linkSubscription = this.env.addresses.linkEvents$.subscribe(() => void this.host.restoreVmacs(() => this.instances));
    }
    if (!this.options.vrrpOnly) await this.startChecks(assembly, config);
    if (vrrp) warmTakeoverPath(spec.instances, (i) => this.env.addresses.primaryAddress(i.interface, i.family));
    if (vrrp) this.noteFirewall(config, spec.instances);
    this.env.log.info(`started ${vrrp ? spec.instances.length : 0} VRRP instance(s) and ${assembly.virtualServerCount} virtual server(s) from ${this.options.configFile}`);
  }

  /**
   * SIGHUP: re-read the configuration. Unchanged instances keep their state and addresses; removed ones stop
   * (priority 0, addresses released). What the new configuration needs (VMACs, channels, the checker side) is
   * made before anything of the running one is torn down; a configuration with errors, or one whose needs cannot
   * be met, is rejected whole and the running one stays. Reloads run one after the other.
   */
  reload(): Promise<ReloadResult> {
    const previous = this.reloading;
    const run = (async (): Promise<ReloadResult> => {
      await previous?.catch(() => undefined);
      try {
        return await this.reloadOnce();
      } catch (err) {
        // Nothing above should throw; if it does, the next SIGHUP still reloads.
        const error = err instanceof Error ? err.message : String(err);
        this.env.log.error(`reload failed: ${error}`);
        return { ok: false, error };
      }
    })();
    this.reloading = run;
    void run.finally(() => {
      if (this.reloading === run) this.reloading = undefined;
    });
    return run;
  }

  private async reloadOnce(): Promise<ReloadResult> {
    const reject = (error: string): ReloadResult => {
      this.env.log.error(`reload rejected, the running configuration stays: ${error}`);
      return { ok: false, error };
    };
    if (this.stopping) return { ok: false, error: 'stopping' };
    this.env.log.info(`reloading the configuration from ${this.options.configFile}`);
    let loaded: LoadedRunnable;
    try {
      loaded = await this.load(this.stopSignal.signal);
    } catch (err) {
      if (err instanceof ReloadAborted || this.stopSignal.signal.aborted) {
        this.env.log.info('reload abandoned: stopping');
        return { ok: false, error: 'stopping' };
      }
      return reject(err instanceof ConfigLoadError ? err.message : String(err));
    }
    const assembly = this.current;
    if (!assembly) return { ok: false, error: 'not running' };
    const next = loaded.config;
    this.env.process?.configured(next, 'reload');
    const vrrp = !this.options.checkersOnly;
    // The checker part's digests were made where the configurations were read (off the VRRP thread).
    const lvsChanged = !this.options.vrrpOnly && loaded.lvsDigest !== this.running?.lvsDigest;
    const made: string[] = [];
    let checks: NodeChecks | undefined;
    let nextSpec: VrrpNodeSpec;
    let result: ReconfigureResult;
    try {
      nextSpec = nodeSpec(next);
      const aborted = (): void => {
        if (this.stopping) throw new ReloadAborted('stopping');
      };
      // What the new configuration needs, before anything of the running one goes.
      if (vrrp) await this.host.createVmacs(nextSpec.instances, made);
      aborted();
      if (lvsChanged) checks = await loadChecks(this.env, next, this.options.scriptTimeoutMs, true, this.config);
      aborted();
      // Opens the new instances' channels first; throws before stopping anything if one cannot be opened.
      result = assembly.reconfigure(next);
    } catch (err) {
      await checks?.discard();
      await this.host.removeVmacs(made);
      if (err instanceof ReloadAborted) {
        this.env.log.info('reload abandoned: stopping');
        return { ok: false, error: 'stopping' };
      }
      return reject(err instanceof Error ? err.message : String(err));
    }
    this.reloads++;
    const previousConfig = this.config;
    this.config = next;
    this.running = loaded;
    if (vrrp) this.instances = nextSpec.instances;
    if (vrrp) this.sysctls?.reload(next);
    if (vrrp) this.sizeNetlinkBuffers(next);
    // Then what the running configuration had and the new one drops. The new one runs from here on: a failure
    // now is logged, it does not bring the old one back.
    try {
      await assembly.settled();
      if (vrrp) await this.host.removeUnusedVmacs(nextSpec.instances);
      if (vrrp && previousConfig) await this.host.reloadStaticRoutes(previousConfig, next);
      if (lvsChanged) {
        // A changed checker configuration starts anew; the load balancer converges from the rules in place, so
        // unchanged services are not touched in the kernel. A stop that came meanwhile clears them.
        await assembly.detachChecks(false, next);
        // Built a slice per turn: the instances keep advertising meanwhile. A stop ends the building.
        if (checks) await assembly.attachChecks(checks, this.stopSignal.signal);
      } else {
        // keepalived builds its real servers anew at each reload: a weight an SNMP set gave goes.
        assembly.checkerSide?.resetWeights();
      }
    } catch (err) {
      this.env.log.error(`reload: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.env.log.info(`reloaded: kept ${result.kept.length}, started ${result.started.length}, stopped ${result.stopped.length}`);
    return { ok: true, ...result };
  }

  /** The e-mail queue's counts: the running node's, else what the last one left (after a stop). */
  private mailStats(): MailStats | undefined {
    return this.current?.mailStats() ?? this.lastMailStats;
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
      ...(assembly && assembly.announcementStatuses().length > 0 ? { announced: assembly.announcementStatuses() } : {}),
      drops: { ...(assembly?.node.nodeDrops ?? {}) },
      kernel_drops: assembly?.node.kernelDrops() ?? 0,
      script_runs: this.scripts.stats(),
      ...(this.mailStats() ? { email: this.mailStats() } : {}),
      send_errors: assembly?.node.sendErrorCounts() ?? [],
      ...(assembly && assembly.bfd.statuses().length > 0 ? { bfd: assembly.bfdStatuses(), bfd_drops: Object.fromEntries(assembly.bfd.dropCounts) } : {}),
      ...(assembly?.bfd.workerRestarts() ? { bfd_worker_restarts: assembly.bfd.workerRestarts() } : {}),
    };
  }

  /**
   * SIGTERM: masters send priority 0 and release their addresses; resolves once the addresses are gone. A reload
   * under way gives up at its next step (undoing what it made for the new configuration) and is waited for.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    // Priority 0 first (RFC 5798 §6.4.3): the backups' Skew_Time starts with it, everything else can wait.
    const assembly = this.current;
    this.current = undefined;
    assembly?.stop();
    this.linkSubscription?.unsubscribe();
    await this.reloading?.catch(() => undefined);
    // keepalived's order: scripts still running from before get SIGTERM, so do the FIFOs' readers; the STOP
    // notifications just started, and the omega ones the checker side sends now, run on.
    this.scripts.terminate();
    assembly?.stopFifoReaders();
    await this.host.vmacsSettled();
    // The load balancer's rules may fail to go (nft refusing): said, and the rest of the stop still runs.
    await assembly?.detachChecks(true).catch((err: unknown) => this.env.log.error(`stopping the checks: ${err instanceof Error ? err.message : String(err)}`));
    await assembly?.settled();
    await assembly?.closeFirewall();
    await assembly?.closeAnnouncements().catch((err: unknown) => this.env.log.error(`removing the announce device: ${err instanceof Error ? err.message : String(err)}`));
    await this.host.removeUnusedVmacs([]);
    if (this.config) await this.host.removeStatics(this.config);
    this.sysctls?.stop();
    // Notify scripts started by the stop finish (or meet their timeout) before the daemon goes, for at most
    // global_defs child_wait_time (keepalived's parent waits that long for its children, then kills them); the
    // STOP e-mails get a few seconds to go out.
    await Promise.all([this.scriptsIdleWithin((this.config?.globalDefs.childWaitTime ?? 5) * 1000), assembly?.closeMail(MAIL_STOP_GRACE_MS)]);
    this.lastMailStats = assembly?.mailStats() ?? this.lastMailStats;
    assembly?.detach();
    if (this.config) await this.startupOrShutdown('shutdown', this.config);
    this.logSubscription?.unsubscribe();
  }

  /** Waits for the scripts to end, for at most `ms`; then ends those still running and waits for them to go. */
  private async scriptsIdleWithin(ms: number): Promise<void> {
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = this.env.clock.setTimeout(() => resolve('late'), ms)));
    const outcome = await Promise.race([this.scripts.idle().then(() => 'idle' as const), late]);
    if (timer !== undefined) this.env.clock.clearTimeout(timer);
    if (outcome === 'idle') return;
    this.env.log.warn(`stopping: scripts still running after child_wait_time (${ms / 1000} s), ending them`);
    this.scripts.terminateAll();
    await this.scripts.idle();
  }

  /** The netlink sockets' receive buffers, when the configuration sizes them (actors/daemon/netlink-buffers.ts). */
  private sizeNetlinkBuffers(config: KeepalivedConfig): void {
    const buffers = vrrpNetlinkBuffers(config.globalDefs);
    if (!this.env.netlinkReceiveBuffers || (buffers.monitor === undefined && buffers.command === undefined)) return;
    try {
      const set = this.env.netlinkReceiveBuffers(buffers);
      this.env.log.info(`netlink receive buffers: notifications ${set.monitor} bytes, requests ${set.command} bytes`);
    } catch (err) {
      this.env.log.warn(`cannot size the netlink receive buffers: ${err instanceof Error ? err.message : String(err)}`);
    }
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
  private async startChecks(assembly: NodeAssembly, config: KeepalivedConfig, reload = false): Promise<void> {
    const checks = await loadChecks(this.env, config, this.options.scriptTimeoutMs, reload);
    if (checks) await assembly.attachChecks(checks, this.stopSignal.signal);
  }

  /**
   * Reads the configuration as it runs here (scripts keepalived would refuse are said once and left out), on the
   * environment's loader (the config worker of a real host: nothing of it runs on the VRRP thread) or else on this
   * thread. Throws ConfigLoadError on a bad configuration.
   */
  private async load(signal?: AbortSignal): Promise<LoadedRunnable> {
    const { configFile, configId, strict, secureConfig, limits } = this.options;
    const options = { configId, strict, secureConfig, limits };
    // reload_file: there while a reload reads the files; reload_check_config: what the reading found, in its file.
    const read = this.config ? this.env.process?.reading(this.config) : undefined;
    let loaded: LoadedRunnable;
    try {
      loaded = this.env.loadConfig ? await this.env.loadConfig(configFile, options, this.running, signal) : loadRunnable(configFile, options, this.env.hostFacts?.());
    } catch (err) {
      read?.({ ok: false, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    read?.({ ok: true, warnings: loaded.warnings });
    // A stop that came while the file was read: nothing of it is said or kept.
    if (signal?.aborted) throw new ReloadAborted('stopping');
    // At start, the process settings come before anything is looked at on the host (net_namespace changes the host).
    if (!this.config) this.env.process?.configured(loaded.config, 'start');
    for (const w of loaded.warnings) this.env.log.warn(w);
    if (!this.options.checkersOnly) this.host.checkInterfaces(loaded.config);
    for (const line of loaded.refused) this.env.log.warn(line);
    this.scripts.setRefused(loaded.refused.length);
    return loaded;
  }

  /**
   * startup_script / shutdown_script: run, and waited for up to startup_script_timeout / shutdown_script_timeout
   * (keepalived main.c); their exit status is only logged.
   */
  private startupOrShutdown(which: 'startup' | 'shutdown', config: KeepalivedConfig): Promise<void> {
    const g = config.globalDefs;
    const script = which === 'startup' ? g.startupScript : g.shutdownScript;
    if (script === undefined) return Promise.resolve();
    const seconds = which === 'startup' ? g.startupScriptTimeout : g.shutdownScriptTimeout;
    this.env.log.info(`running ${which} script ${script.command}`);
    return new Promise((resolve) => {
      this.scripts.start({ script, timeoutMs: seconds * 1000, what: `${which}_script` }, () => resolve());
    });
  }
}
