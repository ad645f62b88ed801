/**
 * One node, assembled by the daemon (actors/daemon/daemon.ts) and by the simulator (sim/run.ts) alike: the VRRP
 * node, the notifier, the tracked objects (vrrp_script, track_file, track_process) and, once attached, the
 * checker side (actors/lvs/node-checks.ts) with its ha_suspend link to this node's instances. Only the
 * environment differs: real transports in the daemon, simulated twins in the simulator.
 *
 * Synchronous: what has to be waited for (host set-up, resolving users, loading the checker side) is done by the
 * caller before; the simulator runs a node inside one event of its virtual clock.
 */
import type { Subscription } from 'rxjs';
import type { Script } from '../config/model.js';
import type { Bus } from './bus.js';
import { nodeSpec, vipFirewallSettings, type KeepalivedConfig } from './vrrp/specs-from-config.js';
import type { VipFirewall } from '../transport/vip-firewall.js';
import { VrrpNode } from './vrrp/vrrp-node.js';
import { Notifier, type NotifyScripts } from './vrrp/notifier.js';
import { NodeTrackers } from './trackers/trackers.js';
import type { NodeChecks } from './lvs/node-checks.js';
import { instanceStatuses, type InstanceStatus, type VirtualServerStatus } from './status.js';
import { DEFAULT_SCRIPT_TIMEOUT_MS, type NodeEnvironment, type ScriptUsers } from './environment.js';

export interface NodeAssemblyOptions {
  /** The node's name in bus messages (keepalived's router_id, else the host name; the simulator's node name). */
  readonly name: string;
  readonly config: KeepalivedConfig;
  readonly users: ScriptUsers;
  /** Notify scripts are killed after this long (keepalived runs them unbounded; we never let one hang). */
  readonly scriptTimeoutMs?: number | undefined;
}

export interface ReconfigureResult {
  readonly kept: readonly string[];
  readonly started: readonly string[];
  readonly stopped: readonly string[];
}

/** Users of no one: scripts run as this process's user (the simulator's, or a configuration without users). */
export const NO_SCRIPT_USERS: ScriptUsers = { byScript: new Map() };

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

export class NodeAssembly {
  readonly name: string;
  readonly node: VrrpNode;
  private readonly notifier: Notifier;
  private readonly trackers: NodeTrackers;
  private checks: NodeChecks | undefined;
  private haSuspend: Subscription | undefined;
  private config: KeepalivedConfig;
  private users: ScriptUsers;
  /** The VIP firewall, with the table global_defs named at start (a reload keeps it). */
  private readonly firewall: VipFirewall | undefined;

  constructor(
    private readonly env: NodeEnvironment,
    private readonly bus: Bus,
    options: NodeAssemblyOptions,
  ) {
    this.name = options.name;
    this.config = options.config;
    this.users = options.users;
    this.firewall = env.vipFirewall?.(vipFirewallSettings(options.config.globalDefs));
    this.node = new VrrpNode(options.name, nodeSpec(options.config), { ...env, firewall: this.firewall }, bus, env.inspect);
    this.notifier = new Notifier({
      ...notifyTables(options.config),
      node: options.name,
      runner: env.processes,
      timeoutMs: options.scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS,
      user: options.users.scriptUser,
      writeFifo: this.fifoOf(options.config),
      log: (level, message) => env.log[level](message),
    });
    this.notifier.attach(bus);
    this.trackers = new NodeTrackers(env, (id, up, value) => this.node.track(id, up, value));
  }

  /**
   * The VRRP side runs: the instances start, then the tracked objects they follow. The VIP firewall's table of
   * a run that crashed goes first (its changes run in order: before any block of ours).
   */
  start(): void {
    if (this.firewall) this.track(this.firewall.clear(), 'cannot remove the VIP firewall table left by an earlier run');
    this.node.start();
    this.trackers.start(this.config, this.users);
  }

  /** The VRRP instances that are MASTER now. */
  masters(): Set<string> {
    return new Set([...this.node.runners.values()].filter((r) => r.state === 'MASTER').map((r) => r.spec.name));
  }

  /**
   * The checker side joins: virtual servers whose instance is MASTER now check at once, the others wait under
   * ha_suspend, and from here on they follow this node's VRRP transitions (the simulator's bus carries every
   * node's).
   */
  attachChecks(checks: NodeChecks): void {
    this.checks = checks;
    this.haSuspend = this.bus.messages$.subscribe((m) => {
      if (m.kind === 'transition' && m.node === this.name) checks.vrrpState(m.instance, m.to);
    });
    checks.start(this.masters());
  }

  /** `clearRules`: a shutdown removes vigil's load-balancer rules; a reload leaves them for the next checker side. */
  async detachChecks(clearRules: boolean): Promise<void> {
    const checks = this.checks;
    this.checks = undefined;
    this.haSuspend?.unsubscribe();
    this.haSuspend = undefined;
    await checks?.stop(clearRules);
  }

  get checkerSide(): NodeChecks | undefined {
    return this.checks;
  }

  /**
   * A reload: unchanged instances keep running untouched, removed ones stop (priority 0, addresses released),
   * changed ones restart; then the notifier takes the new scripts (a removed instance's notify_stop ran with the
   * old ones) and trackers whose blocks did not change keep running, status and all.
   */
  reconfigure(next: KeepalivedConfig, users: ScriptUsers): ReconfigureResult {
    if (this.firewall && JSON.stringify(vipFirewallSettings(next.globalDefs)) !== JSON.stringify(vipFirewallSettings(this.config.globalDefs))) {
      this.env.log.warn('global_defs nftables settings changed: the VIP firewall keeps its table, priority and counters until vigil restarts');
    }
    const result = this.node.reconfigure(nodeSpec(next));
    const tables = notifyTables(next);
    this.notifier.update(tables.instances, tables.groups);
    this.trackers.reload(this.config, next, users);
    this.config = next;
    this.users = users;
    return result;
  }

  /** Resolves when every address change requested so far has been carried out. */
  settled(): Promise<void> {
    return this.node.settled();
  }

  /** The last of a stop, once the addresses are released: the VIP firewall's table goes (keepalived nft_end). */
  async closeFirewall(): Promise<void> {
    await this.node.settled();
    if (this.firewall) await this.track(this.firewall.clear(), 'cannot remove the VIP firewall table');
  }

  /** A firewall failure is a warning on the bus (the log, the status), never an exception. */
  private track(request: Promise<void>, what: string): Promise<void> {
    return request.catch((err: unknown) =>
      this.bus.publish({ kind: 'warning', at: this.env.clock.now(), node: this.name, instance: undefined, message: `${what}: ${String(err)}` }),
    );
  }

  /** Graceful stop: masters send priority 0 first (RFC 5798 §6.4.3) and release their addresses; trackers stop. */
  stop(): void {
    this.node.stop();
    this.trackers.stop();
  }

  /** A crash: everything goes silent at once (no priority 0, addresses left, no scripts). */
  halt(): void {
    this.node.halt();
    this.trackers.stop();
    this.notifier.detach();
  }

  /** The last step of a stop: no more notify scripts. */
  detach(): void {
    this.notifier.detach();
  }

  instanceStatuses(): InstanceStatus[] {
    return instanceStatuses(this.node);
  }

  scriptStatuses(): { name: string; up: boolean }[] {
    return this.trackers.scriptStatuses();
  }

  virtualServerStatuses(): VirtualServerStatus[] {
    return this.checks?.statuses() ?? [];
  }

  get virtualServerCount(): number {
    return this.checks?.virtualServers.length ?? 0;
  }

  /** global_defs notify_fifo (or vrrp_notify_fifo): every state change as one line. */
  private fifoOf(config: KeepalivedConfig): ((line: string) => void) | undefined {
    const fifo = config.globalDefs.vrrpNotifyFifo?.command ?? config.globalDefs.notifyFifo?.command;
    return fifo ? this.env.openFifo?.(fifo) : undefined;
  }
}
