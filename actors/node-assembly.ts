/**
 * One node, assembled by the daemon (actors/daemon/daemon.ts) and by the simulator (sim/run.ts) alike: the VRRP
 * node, the notifier and the notify FIFOs, the tracked objects (vrrp_script, track_file, track_process) and, once
 * attached, the checker side (actors/lvs/node-checks.ts) with its ha_suspend link to this node's instances. Only the
 * environment differs: real transports in the daemon, simulated twins in the simulator. Every script of the node
 * runs through one bounded runner (actors/scripts/script-runner.ts).
 *
 * Synchronous: what has to be waited for (host set-up, judging the scripts against the host, loading the checker
 * side) is done by the caller before; the simulator runs a node inside one event of its virtual clock.
 */
import type { Subscription } from 'rxjs';
import type { Script } from '../config/model.js';
import type { Bus } from './bus.js';
import { nodeSpec, vipFirewallSettings, type KeepalivedConfig } from './vrrp/specs-from-config.js';
import type { VipFirewall } from '../transport/vip-firewall.js';
import { VrrpNode } from './vrrp/vrrp-node.js';
import { Notifier, type NotifyScripts } from './vrrp/notifier.js';
import { NodeTrackers } from './trackers/trackers.js';
import { initTrackFiles } from './trackers/init-files.js';
import type { CheckerNotice, NodeChecks } from './lvs/node-checks.js';
import { ScriptRunner, type ScriptLimits } from './scripts/script-runner.js';
import { NotifyFifos } from './scripts/notify-fifos.js';
import { NodeBfd } from './bfd/node-bfd.js';
import { InProcessBfdHost, type BfdHost } from './bfd/bfd-host.js';
import { bfdScheduling } from './bfd/bfd-scheduling.js';
import { bfdStatuses, instanceStatuses, type BfdStatus, type InstanceStatus, type VirtualServerStatus } from './status.js';
import { DEFAULT_SCRIPT_TIMEOUT_MS, type NodeEnvironment } from './environment.js';
import { MailQueue, type MailStats } from './mail/mail-queue.js';
import { MailAlerts } from './mail/mail-alerts.js';
import { mailSettings } from './mail/mail-settings.js';
import { NodeAnnouncements, type AnnouncementStatus } from './announce/node-announcements.js';

export interface NodeAssemblyOptions {
  /** The node's name in bus messages (keepalived's router_id, else the host name; the simulator's node name). */
  readonly name: string;
  /**
   * The runnable configuration (actors/scripts/runnable-scripts.ts): the scripts keepalived would run, their users
   * as ids.
   */
  readonly config: KeepalivedConfig;
  /** Notify scripts are killed after this long (keepalived runs them unbounded; we never let one hang). */
  readonly scriptTimeoutMs?: number | undefined;
  /** The runner of the node's scripts: the daemon's (one for its whole life), else the node makes its own. */
  readonly scripts?: ScriptRunner | undefined;
  /** The bound of the runner the node makes. */
  readonly scriptLimits?: ScriptLimits | undefined;
}

export interface ReconfigureResult {
  /** Instances that run on in the state they had: unchanged, or changed but the same virtual router (resumed). */
  readonly kept: readonly string[];
  /** Instances started from INIT: new ones, and changed ones that are another virtual router now. */
  readonly started: readonly string[];
  /** Instances stopped: removed ones, and changed ones that are another virtual router now. */
  readonly stopped: readonly string[];
}

type NotifyOwner = {
  notifyMaster?: Script | undefined;
  notifyBackup?: Script | undefined;
  notifyFault?: Script | undefined;
  notifyStop?: Script | undefined;
  notify?: Script | undefined;
};

function notifyScripts(o: NotifyOwner): NotifyScripts {
  return { notifyMaster: o.notifyMaster, notifyBackup: o.notifyBackup, notifyFault: o.notifyFault, notifyStop: o.notifyStop, notify: o.notify };
}

function notifyTables(config: KeepalivedConfig): { instances: Map<string, NotifyScripts>; groups: Map<string, NotifyScripts> } {
  const groupOf = (instance: string) => config.vrrpSyncGroups.find((g) => g.group.includes(instance));
  return {
    instances: new Map(
      config.vrrpInstances.map((i) => [
        i.name,
        {
          ...notifyScripts(i),
          notifyDeleted: i.notifyDeleted,
          notifyMasterRxLowerPri: i.notifyMasterRxLowerPri,
          // vrrp.c: the instance's own setting, else its sync group's, else global_defs'.
          priorityChanges: i.notifyPriorityChanges ?? groupOf(i.name)?.notifyPriorityChanges ?? config.globalDefs.vrrpNotifyPriorityChanges ?? false,
        },
      ]),
    ),
    groups: new Map(config.vrrpSyncGroups.map((g) => [g.name, notifyScripts(g)])),
  };
}

export class NodeAssembly {
  readonly name: string;
  readonly node: VrrpNode;
  /** The node's scripts: notify scripts bounded, FIFO readers, and (the daemon's) startup and shutdown scripts. */
  readonly scripts: ScriptRunner;
  private readonly notifier: Notifier;
  private readonly fifos: NotifyFifos;
  private readonly trackers: NodeTrackers;
  /** bfd_instance sessions: track_bfd for the VRRP side, BFD_CHECK for the checker side. */
  readonly bfd: NodeBfd;
  private bfdRunning = false;
  private checks: NodeChecks | undefined;
  private haSuspend: Subscription | undefined;
  private config: KeepalivedConfig;
  /** Whether the VRRP side runs (`vigil run -C` runs the checker side alone, across reloads too). */
  private vrrpRunning = false;
  /** The VIP firewall, with the table global_defs named at start (a reload keeps it). */
  private readonly firewall: VipFirewall | undefined;
  /** E-mail alerts: the queue (made with the first configuration that mails), and what decides what goes in it. */
  private mailQueue: MailQueue | undefined;
  private mail: MailAlerts | undefined;
  /** announce_table: the announced virtual servers and instances, fed by the instances' states and the quorums. */
  private readonly announcements: NodeAnnouncements;
  private readonly announceFeed: Subscription;
  private quorumFeed: Subscription | undefined;

  constructor(
    private readonly env: NodeEnvironment,
    private readonly bus: Bus,
    options: NodeAssemblyOptions,
  ) {
    this.name = options.name;
    this.config = options.config;
    this.scripts = options.scripts ?? new ScriptRunner(env.processes, env.log, options.scriptLimits);
    this.fifos = new NotifyFifos(env, this.scripts, options.config.globalDefs);
    this.firewall = env.vipFirewall?.(vipFirewallSettings(options.config.globalDefs));
    this.node = new VrrpNode(options.name, nodeSpec(options.config), { ...env, firewall: this.firewall }, bus, env.inspect);
    this.notifier = new Notifier({
      ...notifyTables(options.config),
      node: options.name,
      scripts: this.scripts,
      timeoutMs: options.scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS,
      fifo: (line) => this.fifos.vrrp(line),
    });
    this.notifier.attach(bus);
    this.configureMail(options.config);
    this.trackers = new NodeTrackers(env, (id, up, value) => this.node.track(id, up, value));
    if (env.trackFileHost) initTrackFiles(options.config.trackFiles, env.trackFileHost, false, env.log);
    this.bfd = new NodeBfd(this.bfdHost(env), bus, options.name, (id, up) => this.node.track(id, up));
    this.announcements = new NodeAnnouncements({
      clock: env.clock,
      announcer: env.routeAnnouncer,
      inspect: env.inspect,
      warn: (message) => this.bus.publish({ kind: 'warning', at: env.clock.now(), node: this.name, instance: undefined, message }),
      changed: (spec, announced) =>
        env.log.info(`${spec.owner}: ${announced ? 'announcing' : 'withdrawing'} ${spec.routes.map((r) => `${r.vip} (table ${r.table})`).join(', ')}`),
    });
    this.announceFeed = bus.messages$.subscribe((m) => {
      if (m.kind === 'transition' && m.node === this.name) this.announcements.vrrpState(m.instance, m.to);
    });
    this.announcements.apply(options.config);
  }

  /** The daemon's own BFD host (a worker thread), else the sessions in-process on `env.bfd` (the simulator). */
  private bfdHost(env: NodeEnvironment): (() => BfdHost) | undefined {
    const own = env.bfdHost;
    if (own !== undefined) return () => own(bfdScheduling(this.config.globalDefs));
    const transport = env.bfd;
    if (transport === undefined) return undefined;
    return () => {
      const { link, random } = transport();
      return new InProcessBfdHost(link, env.clock, random);
    };
  }

  /** BFD runs for whichever side starts first (keepalived's BFD process serves both). */
  private startBfd(): void {
    if (this.bfdRunning) return;
    this.bfdRunning = true;
    this.bfd.apply(this.config.bfdInstances);
  }

  /**
   * The VRRP side runs: its notify FIFOs open, the tracked objects start (tracked files are read now, as keepalived
   * init_track_files does), then the instances, from those statuses. The VIP firewall's table of a run that
   * crashed goes first (its changes run in order: before any block of ours).
   */
  start(): void {
    this.vrrpRunning = true;
    this.fifos.openSide('vrrp');
    if (this.firewall) this.track(this.firewall.clear(), 'cannot remove the VIP firewall table left by an earlier run');
    this.trackers.start(this.config);
    this.node.start();
    this.startBfd();
  }

  /** The VRRP instances that are MASTER now. */
  masters(): Set<string> {
    return new Set([...this.node.runners.values()].filter((r) => r.state === 'MASTER').map((r) => r.spec.name));
  }

  /**
   * The checker side joins: virtual servers whose instance is MASTER now check at once, the others wait under
   * ha_suspend, and from here on they follow this node's VRRP transitions (the simulator's bus carries every
   * node's). Resolves once its virtual servers are built (the daemon builds them a slice per turn).
   */
  attachChecks(checks: NodeChecks, signal?: AbortSignal): Promise<void> {
    this.checks = checks;
    this.quorumFeed?.unsubscribe();
    this.quorumFeed = checks.quorum$.subscribe(({ vs, up }) => this.announcements.quorum(vs, up));
    this.haSuspend = this.bus.messages$.subscribe((m) => {
      if (m.kind === 'transition' && m.node === this.name) checks.vrrpState(m.instance, m.to);
    });
    this.fifos.openSide('lvs');
    this.startBfd();
    const tell = (notice: CheckerNotice): void => this.bus.publish({ ...notice, node: this.name });
    return checks.start(this.masters(), { runner: this.scripts, fifo: (line) => this.fifos.lvs(line), mail: this.mail?.checkerMail(), tell }, signal, this.bfd);
  }

  /**
   * `clearRules`: a shutdown removes vigil's load-balancer rules; a reload leaves them for the next checker side,
   * whose configuration (`next`) says which live real servers go (their e-mail alerts).
   */
  async detachChecks(clearRules: boolean, next?: KeepalivedConfig): Promise<void> {
    const checks = this.checks;
    if (next) checks?.mailRemovals(next);
    this.checks = undefined;
    this.haSuspend?.unsubscribe();
    this.haSuspend = undefined;
    // A reload keeps what is announced until the next checker side tells its quorums; a stop withdraws.
    if (clearRules) {
      this.quorumFeed?.unsubscribe();
      this.quorumFeed = undefined;
      this.announcements.checksStopped();
    }
    await checks?.stop(clearRules);
  }

  get checkerSide(): NodeChecks | undefined {
    return this.checks;
  }

  /**
   * A reload: unchanged instances keep running untouched, removed ones stop (priority 0, addresses released) and
   * are notified as deleted with their old scripts, changed ones keep their state with the new settings, renamed
   * ones too, under their new names (unless they are another virtual router now: then the old one is deleted and
   * the new one starts); instances the reload adds start with the
   * new scripts from their first notification on; trackers whose blocks did not change keep running, status and
   * all. A node whose VRRP side does not run (`vigil run -C`) keeps it that way.
   */
  reconfigure(next: KeepalivedConfig): ReconfigureResult {
    if (this.firewall && JSON.stringify(vipFirewallSettings(next.globalDefs)) !== JSON.stringify(vipFirewallSettings(this.config.globalDefs))) {
      this.env.log.warn('global_defs nftables settings changed: the VIP firewall keeps its table, priority and counters until vigil restarts');
    }
    this.fifos.reconfigure(next.globalDefs);
    if (this.env.trackFileHost) initTrackFiles(next.trackFiles, this.env.trackFileHost, true, this.env.log);
    this.announcements.apply(next);
    if (!this.vrrpRunning) {
      this.config = next;
      if (this.bfdRunning) this.bfd.apply(next.bfdInstances);
      return { kept: [], started: [], stopped: [] };
    }
    const nextSpec = nodeSpec(next);
    // By virtual router, not by name (keepalived clear_diff_vrrp): a renamed instance goes on, and one another takes
    // the name of, or that is another virtual router now, is deleted.
    const removed = this.node.ending(nextSpec);
    this.notifier.removing(removed);
    this.mail?.removing(removed);
    // keepalived reads the new global_defs before it notifies the removals (no_email_faults, router_id: the new ones).
    this.configureMail(next);
    const tables = notifyTables(next);
    this.trackers.readFiles(next);
    // fifo_write_vrrp_states_on_reload writes the states of those the reload did not tell (keepalived vrrp_init_state).
    const told = new Set<string>();
    const telling = next.globalDefs.fifoWriteVrrpStatesOnReload
      ? this.bus.messages$.subscribe((m) => {
          if (m.node === this.name && (m.kind === 'notify' || m.kind === 'sync')) told.add(m.kind === 'notify' ? `INSTANCE ${m.instance}` : `GROUP ${m.group}`);
        })
      : undefined;
    let result: ReconfigureResult;
    try {
      result = this.node.reconfigure(nextSpec, (renamed) => {
        this.notifier.update(tables.instances, tables.groups);
        this.notifier.renamed(renamed);
      });
    } finally {
      telling?.unsubscribe();
    }
    this.notifier.removing([]);
    this.mail?.removing([]);
    this.trackers.reload(this.config, next);
    this.config = next;
    if (this.bfdRunning) this.bfd.apply(next.bfdInstances);
    if (next.globalDefs.fifoWriteVrrpStatesOnReload) this.writeStates(told);
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

  /**
   * The last of a stop: the route announcer's device goes (every announcement was withdrawn by stop(); any route
   * still there goes with it).
   */
  async closeAnnouncements(): Promise<void> {
    await this.announcements.close();
  }

  /** What announce_table announces, and whether it is announced now. */
  announcementStatuses(): AnnouncementStatus[] {
    return this.announcements.statuses();
  }

  /** Graceful stop: announcements withdrawn; masters send priority 0 first (RFC 5798 §6.4.3) and release their addresses; trackers stop. */
  stop(): void {
    this.announceFeed.unsubscribe();
    this.quorumFeed?.unsubscribe();
    this.announcements.stop();
    this.node.stop();
    this.trackers.stop();
    this.bfd.stop();
  }

  /** A crash: everything goes silent at once (no priority 0, addresses left, no scripts; announced routes to the kernel). */
  halt(): void {
    this.announceFeed.unsubscribe();
    this.quorumFeed?.unsubscribe();
    this.announcements.halt();
    this.node.halt();
    this.trackers.stop();
    this.bfd.stop();
    this.notifier.detach();
    this.mail?.detach();
    this.fifos.close();
  }

  /** The first step of a stop after priority 0: the FIFOs' readers get SIGTERM (they read on until the FIFOs close). */
  stopFifoReaders(): void {
    this.fifos.stopReaders();
  }

  /** The last step of a stop: no more notifications; the FIFOs close (and go, when vigil made them). */
  detach(): void {
    this.notifier.detach();
    this.mail?.detach();
    this.fifos.close();
  }

  /**
   * The last alerts (the STOP ones) get `graceMs` to go out, then the queue closes: what is left is counted as not
   * sent. An SMTP server that hangs delays the end of a stop by `graceMs` at most.
   */
  async closeMail(graceMs: number): Promise<void> {
    const queue = this.mailQueue;
    if (!queue) return;
    let timer: ReturnType<typeof this.env.clock.setTimeout> | undefined;
    await Promise.race([queue.whenIdle(), new Promise<void>((resolve) => (timer = this.env.clock.setTimeout(resolve, graceMs)))]);
    if (timer !== undefined) this.env.clock.clearTimeout(timer);
    await queue.close();
  }

  /** What the e-mail queue has done (undefined when no configuration has mailed). */
  mailStats(): MailStats | undefined {
    return this.mailQueue?.stats();
  }

  /** keepalived mails only with notification_email and smtp_server; a reload may start or stop that. */
  private configureMail(config: KeepalivedConfig): void {
    const mail = this.env.mail;
    const settings = mail && mailSettings(config, mail.host);
    if (!mail || !settings) {
      this.mail?.detach();
      this.mail = undefined;
      return;
    }
    if (this.mail) {
      this.mail.update(settings);
      return;
    }
    this.mailQueue ??= new MailQueue({ clock: this.env.clock, transport: mail.transport, log: this.env.log });
    this.mail = new MailAlerts(this.name, settings, this.mailQueue);
    this.mail.attach(this.bus);
  }

  instanceStatuses(): InstanceStatus[] {
    return instanceStatuses(this.node);
  }

  scriptStatuses(): { name: string; up: boolean }[] {
    return this.trackers.scriptStatuses();
  }

  bfdStatuses(): BfdStatus[] {
    return bfdStatuses(this.bfd.statuses());
  }

  virtualServerStatuses(): VirtualServerStatus[] {
    return this.checks?.statuses() ?? [];
  }

  get virtualServerCount(): number {
    return this.checks?.virtualServers.length ?? 0;
  }

  /**
   * fifo_write_vrrp_states_on_reload: every instance's and sync group's state, again, after a reload; those the
   * reload told (`told`: "INSTANCE name", "GROUP name") have their line already.
   */
  private writeStates(told: ReadonlySet<string>): void {
    for (const r of this.node.runners.values()) {
      if (!told.has(`INSTANCE ${r.spec.name}`)) this.fifos.vrrp(`INSTANCE "${r.spec.name}" ${r.state} ${r.effectivePriority}\n`);
    }
    for (const [group, state] of this.node.groupStates()) if (!told.has(`GROUP ${group}`)) this.fifos.vrrp(`GROUP "${group}" ${state} 0\n`);
  }
}
