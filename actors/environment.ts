/**
 * What a node is built on (actors/node-assembly.ts), and what the daemon is given on top: transports (real in
 * `vigil run`, simulated in the simulator and in tests) and options.
 */
import type { InspectionEvent } from 'xstate';
import type { Clock } from '../machines/clock.js';
import type { AddressManager, Announcer } from '../transport/address-manager.js';
import type { VrrpLink } from '../transport/vrrp-link.js';
import type { IpFamily } from '../protocol/ip.js';
import type { ProcessRunner } from '../transport/process-runner.js';
import type { ProcessMonitor } from '../transport/process-monitor.js';
import type { RouteManager } from '../transport/routes.js';
import type { VipFirewallFactory } from '../transport/vip-firewall.js';
import type { LoadBalancerBackend } from '../transport/lb/load-balancer.js';
import type { LoadOptions } from '../config/load.js';
import type { HostFacts } from '../config/host-facts.js';
import type { OpenNotifyFifo } from '../transport/notify-fifo.js';
import type { TrackFileHost } from '../transport/track-files.js';
import type { Sysctls } from '../transport/sysctl.js';
import type { NetlinkReceiveBuffers } from '../transport/receive-buffer.js';
import type { CheckerHost } from './checks/checker-host.js';
import type { ScriptLimits } from './scripts/script-runner.js';
import type { ApplyThreadScheduling, ThreadScheduling } from '../transport/thread-scheduling.js';
import type { ConfigLoader } from './runnable-config.js';
import type { KeepalivedConfig } from './vrrp/specs-from-config.js';
import type { BfdLink } from '../transport/bfd-link.js';
import type { Random } from '../transport/random.js';
import type { BfdHost } from './bfd/bfd-host.js';

/** What BFD sessions run on: the link they share, and the random source of discriminators, ports and jitter. */
export interface BfdTransport {
  readonly link: BfdLink;
  readonly random: Random;
}
import type { MailTransport } from '../transport/mail-transport.js';
import type { RouteAnnouncer } from '../transport/route-announcer.js';
import type { MailHost } from './mail/mail-settings.js';

export interface DaemonLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The checker side's transports, loaded only when a configuration has virtual servers (start-up time). */
export interface CheckerSide {
  /** The checker host, its thread scheduled as global_defs checker_priority / checker_rt_priority say. */
  readonly host: (scheduling: ThreadScheduling) => CheckerHost;
  readonly backend: (setting: 'auto' | 'ipvs' | 'nftables') => Promise<{ backend: LoadBalancerBackend; statement: string }>;
  /** `nft -f -` for global_defs nftables_ipvs (actors/lvs/node-checks.ts). */
  readonly nft?: (() => { run(args: readonly string[], stdin?: string): Promise<unknown> }) | undefined;
}

/** Creates and removes use_vmac / use_ipvlan interfaces (NetlinkVmac on a real host). */
export interface VmacManager {
  create(options: {
    parent: string;
    vrid: number;
    family: IpFamily;
    name: string;
    /** A macvlan's MAC (default: the virtual router MAC of RFC 5798 §7.3). */
    mac?: string | undefined;
    kind?: 'macvlan' | 'ipvlan' | undefined;
    ipvlanMode?: 'bridge' | 'private' | 'vepa' | undefined;
    /** false: IPv6 disabled on the interface. */
    ipv6?: boolean | undefined;
  }): Promise<unknown>;
  remove(name: string): Promise<void>;
}

/**
 * A look at the host that answers either with a promise (a real host) or by calling `done` on the injected clock
 * (the simulator: a promise would settle only after its virtual clock has run on).
 */
export type Answering<T> = (done: (value: T) => void) => Promise<T> | undefined;

/** A user scripts run as (keepalived `script_user`, a script's own `user [group]`), resolved to ids. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** What one node runs on: the daemon and the simulator give the same shape, real or simulated. */
export interface NodeEnvironment {
  readonly clock: Clock;
  readonly link: VrrpLink;
  readonly addresses: AddressManager;
  readonly announcer: Announcer;
  /** Notify scripts, vrrp_script checks, checker notify scripts. */
  readonly processes: ProcessRunner;
  readonly log: DaemonLog;
  /** notify_fifo, vrrp_notify_fifo, lvs_notify_fifo: the FIFO at a path, created for its owner when missing. */
  readonly openFifo?: OpenNotifyFifo | undefined;
  /** virtual_routes/virtual_rules and static_routes/static_rules. */
  readonly routes?: RouteManager | undefined;
  /** The VIP firewall (no_accept / vrrp_strict), built with global_defs' nftables settings. */
  readonly vipFirewall?: VipFirewallFactory | undefined;
  /** track_file: the file's text, undefined when it cannot be read. */
  readonly readFile?: ((path: string, done: (text: string | undefined) => void) => Promise<string | undefined> | undefined) | undefined;
  /** track_file at start and reload, before the instances: init_file's write and the first read. */
  readonly trackFileHost?: TrackFileHost | undefined;
  /** track_process: the host's processes (the kernel's process events, or listings of /proc). */
  readonly processMonitor?: ProcessMonitor | undefined;
  readonly inspect?: ((event: InspectionEvent) => void) | undefined;
  /**
   * bfd_instance: made once, when a configuration first has BFD sessions (the real UDP link in the daemon, the
   * simulated one on the host's segments in the simulator). Absent: BFD sessions do not run.
   */
  readonly bfd?: (() => BfdTransport) | undefined;
  /**
   * Where the daemon runs its BFD sessions instead of on `bfd` in-process: a host of its own (a worker thread
   * scheduled by global_defs bfd_priority, bfd_rt_priority, bfd_rlimit_rttime, bfd_cpu_affinity, bfd_process_name).
   */
  readonly bfdHost?: ((scheduling: ThreadScheduling) => BfdHost) | undefined;
  /**
   * announce_table: the host routes of announced addresses in the tables a BGP speaker exports (a TUN device's
   * routes in the daemon, the simulated host's tables). Absent: nothing is announced.
   */
  readonly routeAnnouncer?: RouteAnnouncer | undefined;
  /** E-mail alerts (smtp_alert): how they are sent, and the host's names for keepalived's defaults. */
  readonly mail?: { readonly transport: MailTransport; readonly host: MailHost } | undefined;
}

/** The daemon's environment: a node's, and what only a real host has (users, VMACs, scheduling, the checker side). */
export interface DaemonEnvironment extends NodeEnvironment {
  readonly pid: number;
  /**
   * The host the scripts are judged against (their users, groups and files: actors/scripts/runnable-scripts.ts), read
   * afresh at start and at each reload. Absent (simulated transports): every script runs as this process.
   */
  readonly hostFacts?: (() => HostFacts) | undefined;
  /** use_vmac: macvlan interfaces with the virtual router MAC. */
  readonly vmacs?: VmacManager | undefined;
  /** disable_local_igmp, promote_secondaries: settings under /proc/sys changed while vigil runs. */
  readonly sysctls?: Sysctls | undefined;
  /**
   * vrrp_netlink_monitor_rcv_bufs / vrrp_netlink_cmd_rcv_bufs (and _force): sizes the VRRP side's netlink sockets'
   * receive buffers; returns what the kernel set; throws when it cannot.
   */
  readonly netlinkReceiveBuffers?: ((buffers: NetlinkReceiveBuffers) => { monitor: number; command: number }) | undefined;
  /** Names of the interfaces that exist now (checked at start and reload, as keepalived does). */
  readonly interfaces?: (() => readonly string[]) | undefined;
  /** The checker side (virtual servers, checkers, kernel load balancer); absent where the host has none. */
  readonly checks?: (() => Promise<CheckerSide>) | undefined;
  /** Schedules the calling (VRRP) thread: global_defs vrrp_priority, vrrp_rt_priority, vrrp_rlimit_rttime. */
  readonly applyScheduling?: ApplyThreadScheduling | undefined;
  /**
   * Reads the configuration at start and on reload off the VRRP thread (actors/daemon/config-loader.ts); absent,
   * it is read on the calling thread with `hostFacts`.
   */
  readonly loadConfig?: ConfigLoader | undefined;
  /** The process-level keywords (umask, pid file names, process names, net_namespace, reload_file …). */
  readonly process?: ProcessHooks | undefined;
}

/**
 * What the daemon's process does with the process-level keywords of a configuration (on a real host
 * actors/daemon/process-control.ts).
 */
export interface ProcessHooks {
  /**
   * A configuration was read: at start before anything of it is acted on (it may not return: net_namespace runs
   * vigil again in the namespace), on reload once it is accepted. Throwing at start stops the daemon with that line.
   */
  configured(config: KeepalivedConfig, phase: 'start' | 'reload'): void;
  /**
   * A reload is about to read the configuration (reload_file, reload_check_config): returns what to call once it
   * has been read, with its warnings or the error that refuses it.
   */
  reading(running: KeepalivedConfig): (outcome: ReadOutcome) => void;
}

/** How the reading of a configuration ended. */
export type ReadOutcome = { readonly ok: true; readonly warnings: readonly string[] } | { readonly ok: false; readonly error: string };

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
  /** How many notify scripts run at once, and wait (actors/scripts/script-runner.ts). */
  readonly scriptLimits?: ScriptLimits;
}

export const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000;
