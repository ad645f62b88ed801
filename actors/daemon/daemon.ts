/**
 * The composition root of `vigil run`: reads the configuration, judges its scripts against the host (their users
 * and files: what keepalived would not run does not run), runs the startup script, prepares the host (interfaces,
 * leftover VIPs, statics, VMACs, thread scheduling) and loads the checker side, and builds the node on the
 * transports it is given with the assembly the simulator uses too (actors/node-assembly.ts); handles reload and
 * shutdown (notify scripts of the stop run to their end, then the shutdown script). The same class runs on real transports (cli/run-command.ts) and on simulated ones (tests, the
 * live page's test).
 */
import type { Subscription } from 'rxjs';
import { ConfigLoadError } from '../../config/load.js';
import { Bus } from '../bus.js';
import { nodeSpec, type KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { NodeAssembly } from '../node-assembly.js';
import type { DaemonStatus } from '../status.js';
import type { DaemonEnvironment, DaemonOptions } from '../environment.js';
import { loadRunnable, type LoadedRunnable } from '../runnable-config.js';
import { ScriptRunner } from '../scripts/script-runner.js';
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

export type ReloadResult =
  | { readonly ok: true; readonly kept: readonly string[]; readonly started: readonly string[]; readonly stopped: readonly string[] }
  | { readonly ok: false; readonly error: string };

export class VigilDaemon {
  readonly bus = new Bus();
  private current: NodeAssembly | undefined;
  private readonly host: HostSetup;
  private logSubscription: Subscription | undefined;
  private reloads = 0;
  /** The runnable configuration running now (actors/scripts/runnable-scripts.ts). */
  private config: KeepalivedConfig | undefined;
  /** The same, as it was loaded (its checker part's digest). */
  private running: LoadedRunnable | undefined;
  /** Every script of the daemon's life: one bound across reloads. */
  readonly scripts: ScriptRunner;

  constructor(
    private readonly env: DaemonEnvironment,
    private readonly options: DaemonOptions,
  ) {
    this.host = new HostSetup(env);
    this.scripts = new ScriptRunner(env.processes, env.log, options.scriptLimits);
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
      scripts: this.scripts,
      scriptTimeoutMs: this.options.scriptTimeoutMs,
    });
    this.current = assembly;
    if (vrrp) assembly.start();
    if (!this.options.vrrpOnly) await this.startChecks(assembly, config);
    if (vrrp) warmTakeoverPath(spec.instances, (i) => this.env.addresses.primaryAddress(i.interface, i.family));
    this.env.log.info(`started ${vrrp ? spec.instances.length : 0} VRRP instance(s) and ${assembly.virtualServerCount} virtual server(s) from ${this.options.configFile}`);
  }

  /**
   * SIGHUP: re-read the configuration. Unchanged instances keep their state and addresses; removed ones stop
   * (priority 0, addresses released); a configuration with errors is rejected and the running one stays.
   */
  async reload(): Promise<ReloadResult> {
    let loaded: LoadedRunnable;
    try {
      loaded = await this.load();
    } catch (err) {
      const error = err instanceof ConfigLoadError ? err.message : String(err);
      this.env.log.error(`reload rejected, the running configuration stays: ${error}`);
      return { ok: false, error };
    }
    const assembly = this.current;
    if (!assembly) return { ok: false, error: 'not running' };
    this.reloads++;
    const next = loaded.config;
    const nextSpec = nodeSpec(next);
    const vrrp = !this.options.checkersOnly;
    if (vrrp) await this.host.createVmacs(nextSpec.instances);
    const result = assembly.reconfigure(next);
    await assembly.settled();
    if (vrrp) await this.host.removeUnusedVmacs(nextSpec.instances);
    if (!this.options.checkersOnly && this.config) await this.host.reloadStaticRoutes(this.config, next);
    if (!this.options.vrrpOnly && loaded.lvsDigest !== this.running?.lvsDigest) {
      // A changed checker configuration starts anew; the load balancer converges from the rules in place, so
      // unchanged services are not touched in the kernel.
      await assembly.detachChecks(false);
      await this.startChecks(assembly, next, true);
    }
    this.config = next;
    this.running = loaded;
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
      script_runs: this.scripts.stats(),
    };
  }

  /** SIGTERM: masters send priority 0 and release their addresses; resolves once the addresses are gone. */
  async stop(): Promise<void> {
    // Priority 0 first (RFC 5798 §6.4.3): the backups' Skew_Time starts with it, everything else can wait.
    const assembly = this.current;
    this.current = undefined;
    assembly?.stop();
    // keepalived's order: scripts still running from before get SIGTERM, so do the FIFOs' readers; the STOP
    // notifications just started, and the omega ones the checker side sends now, run on.
    this.scripts.terminate();
    assembly?.stopFifoReaders();
    await assembly?.detachChecks(true);
    await assembly?.settled();
    await this.host.removeUnusedVmacs([]);
    if (this.config) await this.host.removeStatics(this.config);
    // Notify scripts started by the stop finish (or meet their timeout) before the daemon goes.
    await this.scripts.idle();
    assembly?.detach();
    if (this.config) await this.startupOrShutdown('shutdown', this.config);
    this.logSubscription?.unsubscribe();
  }

  /** The checker side, when the configuration has virtual servers and the host can check them. */
  private async startChecks(assembly: NodeAssembly, config: KeepalivedConfig, reload = false): Promise<void> {
    const checks = await loadChecks(this.env, config, this.options.scriptTimeoutMs, reload);
    if (checks) assembly.attachChecks(checks);
  }

  /**
   * Reads the configuration as it runs here (scripts keepalived would refuse are said once and left out), on the
   * environment's loader (the config worker of a real host: nothing of it runs on the VRRP thread) or else on this
   * thread. Throws ConfigLoadError on a bad configuration.
   */
  private async load(): Promise<LoadedRunnable> {
    const { configFile, configId, strict, secureConfig, limits } = this.options;
    const options = { configId, strict, secureConfig, limits };
    const loaded = this.env.loadConfig ? await this.env.loadConfig(configFile, options, this.running) : loadRunnable(configFile, options, this.env.hostFacts?.());
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
