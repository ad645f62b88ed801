/**
 * The typed configuration vigil runs: what the parser makes of a keepalived.conf, defaults filled in as
 * keepalived applies them. Times are in seconds unless the name says otherwise. `at` is where the block started.
 * `Config` satisfies the VRRP runtime's structural `KeepalivedConfig` (actors/vrrp/specs-from-config.ts).
 */
import type { IpFamily } from '../protocol/ip.js';
import type { RouteSpec, RuleSpec } from '../protocol/rtnetlink-routes.js';
import type { VrrpVersion } from '../protocol/vrrp-types.js';
import type { SourcePosition } from './diagnostics.js';
import type { GlobalDefs } from './keywords/global-defs.js';

export type { GlobalDefs } from './keywords/global-defs.js';

/** `script [user [group]]`, as notify_* and quorum_up/down take it. */
export interface Script {
  readonly command: string;
  readonly user?: string | undefined;
  readonly group?: string | undefined;
  /** Where it was read (the host checks name this line); absent for scripts made by code. */
  readonly at?: SourcePosition | undefined;
}

/** virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress entry (ip address add options). */
export interface IpAddress {
  readonly address: string;
  readonly prefix: number;
  readonly family: IpFamily;
  readonly dev?: string | undefined;
  readonly scope?: string | undefined;
  readonly label?: string | undefined;
  /** brd ADDRESS, or '+'/'-' already applied to the address. */
  readonly broadcast?: string | undefined;
  readonly peer?: string | undefined;
  readonly home: boolean;
  readonly nodad: boolean;
  readonly mngtmpaddr: boolean;
  readonly noprefixroute: boolean;
  readonly autojoin: boolean;
  readonly noTrack: boolean;
  /** Seconds, or 'forever'. */
  readonly preferredLft?: number | 'forever' | undefined;
  readonly useVmac: boolean;
  readonly trackGroup?: string | undefined;
  /** Where it was read (the host checks name this line); absent for entries made by code. */
  readonly at?: SourcePosition | undefined;
}

export interface Nexthop {
  readonly via?: string | undefined;
  readonly dev?: string | undefined;
  readonly weight?: number | undefined;
  readonly onlink: boolean;
  /** `realms [FROM/]TO` as written (names of rt_realms or numbers). */
  readonly realms?: string | undefined;
  /** `encap TYPE …`: the words after encap. */
  readonly encap?: string | undefined;
}

/** virtual_routes / static_routes entry (ip route add syntax). */
export interface Route {
  readonly family: IpFamily;
  /** unicast (default), blackhole, unreachable, prohibit, throw, local, broadcast, anycast, multicast, nat. */
  readonly type: string;
  readonly destination: string;
  readonly prefix: number;
  readonly src?: string | undefined;
  readonly via?: string | undefined;
  readonly dev?: string | undefined;
  readonly table?: string | undefined;
  readonly scope?: string | undefined;
  readonly metric?: number | undefined;
  readonly protocol?: string | undefined;
  readonly nexthops: readonly Nexthop[];
  readonly noTrack: boolean;
  readonly trackGroup?: string | undefined;
  /**
   * Other `ip route` options as given, in order: the option and its words (`mtu` → `lock 1400`, `encap` →
   * `ip id 5 dst 10.0.0.9`, a flag such as `onlink` → '').
   */
  readonly options: readonly (readonly [string, string])[];
  /** Where it was read (the host checks name this line); absent for entries made by code. */
  readonly at?: SourcePosition | undefined;
  /** What goes to the kernel, names resolved (config/finalize-routes.ts); absent until then. */
  readonly kernel?: RouteSpec | undefined;
}

/** virtual_rules / static_rules entry (ip rule add syntax). */
export interface Rule {
  readonly family: IpFamily;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly table?: string | undefined;
  readonly preference?: number | undefined;
  readonly iif?: string | undefined;
  readonly oif?: string | undefined;
  readonly fwmark?: string | undefined;
  /** lookup (`table` / `lookup`), goto, nop, blackhole, unreachable, prohibit; undefined when none was given. */
  readonly action?: string | undefined;
  /** `goto N`. */
  readonly gotoTarget?: number | undefined;
  readonly invert: boolean;
  readonly noTrack: boolean;
  readonly trackGroup?: string | undefined;
  /** Other `ip rule` options as given, in order (`tos` → `AF11`, `l3mdev` → ''). */
  readonly options: readonly (readonly [string, string])[];
  /** Where it was read (the host checks name this line); absent for entries made by code. */
  readonly at?: SourcePosition | undefined;
  /** What goes to the kernel, names resolved (config/finalize-routes.ts); absent until then. */
  readonly kernel?: RuleSpec | undefined;
}

export interface TrackedByName {
  readonly name: string;
  /** Undefined: the tracked object's own weight (scripts, files, processes) or 0 (interfaces). */
  readonly weight?: number | undefined;
  /**
   * keepalived's weight multiplier of -1: the adjustment goes the other way (a positive weight is taken off while
   * up, a negative one added while down) and weight 0 means FAULT while up. Undefined when the line says neither
   * `reverse` nor `noreverse`: the tracked object's own `weight … reverse` then applies (resolved once finalized).
   */
  readonly reverse?: boolean | undefined;
  /** Where it was read (the host checks name this line); absent for entries made by code. */
  readonly at?: SourcePosition | undefined;
}

export interface UnicastPeer {
  readonly address: string;
  readonly minTtl: number;
  readonly maxTtl: number;
}

export interface Authentication {
  readonly type: 'PASS' | 'AH';
  /** At most 8 characters (keepalived keeps the first eight). */
  readonly password: string;
}

export interface VrrpInstance {
  readonly name: string;
  readonly at: SourcePosition;
  /** Initial state: `state`, or MASTER when the priority is 255. */
  readonly state: 'MASTER' | 'BACKUP';
  /** '' when omitted (allowed with unicast_src_ip). */
  readonly interface: string;
  readonly vrf?: string | undefined;
  readonly virtualRouterId: number;
  readonly priority: number;
  /** advert_int in seconds. */
  readonly advertInt: number;
  /** advert_int in centiseconds (the VRRPv3 field). */
  readonly advertIntervalCs: number;
  readonly version: VrrpVersion;
  readonly family: IpFamily;
  readonly nopreempt: boolean;
  readonly preemptDelaySeconds: number;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly authentication?: Authentication | undefined;
  readonly virtualIpAddresses: readonly IpAddress[];
  readonly excludedVirtualIpAddresses: readonly IpAddress[];
  readonly virtualRoutes: readonly Route[];
  readonly virtualRules: readonly Rule[];
  /** Source address of adverts (unicast_src_ip or mcast_src_ip: keepalived keeps one). */
  readonly unicastSrcIp?: string | undefined;
  readonly mcastSrcIp?: string | undefined;
  readonly mcastDstIp?: string | undefined;
  readonly unicastPeers: readonly UnicastPeer[];
  readonly unicastTtl?: number | undefined;
  readonly unicastFaultNoPeer: boolean;
  readonly checkUnicastSrc: boolean;
  readonly trackSrcIp: boolean;
  readonly dontTrackPrimary: boolean;
  readonly trackInterfaces: readonly TrackedByName[];
  readonly trackScripts: readonly TrackedByName[];
  readonly trackFiles: readonly TrackedByName[];
  readonly trackProcesses: readonly TrackedByName[];
  readonly trackBfds: readonly TrackedByName[];
  readonly useVmac?: { readonly interface?: string | undefined; readonly mac?: string | undefined } | undefined;
  readonly useVmacAddr: boolean;
  readonly vmacXmitBase: boolean;
  readonly useIpvlan?: { readonly interface?: string | undefined; readonly address?: string | undefined; readonly mode?: string | undefined } | undefined;
  readonly nativeIpv6: boolean;
  /** Accept mode; keepalived's default: on unless strict mode, always on for the address owner. */
  readonly accept: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly strictMode: boolean;
  readonly promoteSecondaries: boolean;
  readonly linkbeatUsePolling: boolean;
  readonly debug: number;
  readonly notifyMaster?: Script | undefined;
  readonly notifyBackup?: Script | undefined;
  readonly notifyFault?: Script | undefined;
  readonly notifyStop?: Script | undefined;
  readonly notifyDeleted?: Script | true | undefined;
  readonly notify?: Script | undefined;
  readonly notifyMasterRxLowerPri?: Script | undefined;
  readonly notifyPriorityChanges?: boolean | undefined;
  readonly smtpAlert?: boolean | undefined;
  /** Seconds. */
  readonly garpMasterDelay: number;
  readonly garpMasterRepeat: number;
  /** Seconds; 0 = no refresh. */
  readonly garpMasterRefresh: number;
  readonly garpMasterRefreshRepeat: number;
  /** Seconds: the second lower-priority burst (garp_lower_prio_delay, default vrrp_garp_master_delay; 0 in strict mode). */
  readonly garpLowerPrioDelay: number;
  /** Announcements on hearing a lower priority (garp_lower_prio_repeat, default vrrp_garp_master_repeat; 0 in strict mode). */
  readonly garpLowerPrioRepeat: number;
  readonly garpExtraIf?: { readonly interval: number; readonly all: boolean } | undefined;
  readonly downTimerAdverts: number;
  readonly kernelRxBufSize?: number | undefined;
  /** vigil's announce_table: the routing table its virtual_ipaddress host routes go in while MASTER. */
  readonly announceTable?: number | undefined;
  /**
   * old_unicast_checksum: VRRPv3 over IPv4 checksummed with the multicast group (global vrrp_mcast_group4) in the
   * pseudo-header in place of the unicast peer, as keepalived before 1.3.6 did; `never`: not switched to it when a
   * peer sends it (keepalived switches by default).
   */
  readonly oldUnicastChecksum: boolean;
  readonly oldUnicastChecksumNever: boolean;
  readonly lvsSyncDaemonInterface?: string | undefined;
}

export interface VrrpSyncGroup {
  readonly name: string;
  readonly at: SourcePosition;
  readonly group: readonly string[];
  readonly trackInterfaces: readonly TrackedByName[];
  readonly trackScripts: readonly TrackedByName[];
  readonly trackFiles: readonly TrackedByName[];
  readonly trackProcesses: readonly TrackedByName[];
  readonly trackBfds: readonly TrackedByName[];
  readonly notifyMaster?: Script | undefined;
  readonly notifyBackup?: Script | undefined;
  readonly notifyFault?: Script | undefined;
  readonly notifyStop?: Script | undefined;
  readonly notify?: Script | undefined;
  readonly smtpAlert?: boolean | undefined;
  readonly globalTracking: boolean;
  readonly syncGroupTrackingWeight: boolean;
  readonly notifyPriorityChanges?: boolean | undefined;
}

export interface VrrpScript {
  readonly name: string;
  readonly at: SourcePosition;
  readonly script: string;
  readonly interval: number;
  readonly timeout: number;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly user?: string | undefined;
  readonly group?: string | undefined;
  readonly initFail: boolean;
}

export interface TrackFile {
  readonly name: string;
  readonly at: SourcePosition;
  readonly file: string;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly initFile?: { readonly value: number; readonly overwrite: boolean } | undefined;
}

export interface TrackProcess {
  readonly name: string;
  readonly at: SourcePosition;
  readonly process: string;
  readonly params: readonly string[];
  readonly paramMatch?: 'initial' | 'partial' | 'exact' | undefined;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly quorum: number;
  readonly quorumMax?: number | undefined;
  readonly forkDelay: number;
  readonly terminateDelay: number;
  readonly fullCommand: boolean;
}

export interface BfdInstance {
  readonly name: string;
  readonly at: SourcePosition;
  readonly neighborIp?: string | undefined;
  readonly sourceIp?: string | undefined;
  /** Milliseconds. */
  readonly minRx: number;
  readonly minTx: number;
  readonly idleTx: number;
  readonly multiplier: number;
  readonly passive: boolean;
  readonly ttl?: number | undefined;
  readonly maxHops: number;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly vrrp: boolean;
  readonly checker: boolean;
}

export interface TrackGroup {
  readonly name: string;
  readonly group: readonly string[];
}

export interface GarpGroup {
  readonly at: SourcePosition;
  readonly garpInterval?: number | undefined;
  readonly gnaInterval?: number | undefined;
  readonly interface?: string | undefined;
  readonly interfaces: readonly string[];
}

export interface InterfaceDelay {
  readonly interface: string;
  readonly downDelay: number;
  readonly upDelay: number;
  readonly at?: SourcePosition | undefined;
}

export type LvsMethod = 'NAT' | 'DR' | 'TUN';

export interface Forwarding {
  readonly method: LvsMethod;
  readonly tunnelType?: 'ipip' | 'gue' | 'gre' | undefined;
  readonly tunnelPort?: number | undefined;
  readonly tunnelChecksum?: 'nocsum' | 'csum' | 'remcsum' | undefined;
}

/** Options every connecting checker has (keepalived's checker co_* keywords). */
export interface CheckerConnection {
  readonly connectIp?: string | undefined;
  readonly connectPort?: number | undefined;
  readonly bindTo?: string | undefined;
  readonly bindPort?: number | undefined;
  readonly bindIf?: string | undefined;
  readonly connectTimeout: number;
  readonly fwmark?: number | undefined;
}

/** A checker's timing, inherited checker ← real_server ← virtual_server by finalize-lvs.ts. */
export interface CheckerTiming {
  readonly retry: number;
  readonly delayBeforeRetry: number;
  readonly warmup: number;
  readonly delayLoop: number;
  readonly alpha: boolean;
}

interface CheckerCommon extends CheckerTiming {
  readonly at: SourcePosition;
  readonly logAllFailures: boolean;
}

export interface HttpUrl {
  readonly path: string;
  readonly digest?: string | undefined;
  /** Inclusive ranges; default 200-299. */
  readonly statusCodes: readonly (readonly [number, number])[];
  readonly virtualhost?: string | undefined;
  readonly regex?: string | undefined;
  readonly regexNoMatch: boolean;
  readonly regexOptions?: readonly string[] | undefined;
  readonly regexMinOffset?: number | undefined;
  readonly regexMaxOffset?: number | undefined;
  readonly regexStack?: readonly [number, number] | undefined;
}

export interface HttpChecker extends CheckerCommon, CheckerConnection {
  readonly type: 'HTTP_GET' | 'SSL_GET';
  readonly urls: readonly HttpUrl[];
  readonly virtualhost?: string | undefined;
  /** Default 1.0 (no "Connection: close"). */
  readonly httpProtocol: '1.0' | '1.0C' | '1.1';
  readonly enableSni: boolean;
  readonly fastRecovery: boolean;
}

export interface TcpChecker extends CheckerCommon, CheckerConnection {
  readonly type: 'TCP_CHECK';
}

export interface PingChecker extends CheckerCommon, CheckerConnection {
  readonly type: 'PING_CHECK';
}

export interface SmtpChecker extends CheckerCommon, CheckerConnection {
  readonly type: 'SMTP_CHECK';
  /** Default smtpchecker.keepalived.org. */
  readonly heloName: string;
  readonly hosts: readonly CheckerConnection[];
}

export interface DnsChecker extends CheckerCommon, CheckerConnection {
  readonly type: 'DNS_CHECK';
  readonly queryType: 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA';
  readonly name: string;
}

export interface UdpChecker extends CheckerCommon, CheckerConnection {
  readonly type: 'UDP_CHECK';
  /** Hex text as configured; default keepalived's 32 bytes (core/layer4.c set_buf: "keepalived check - " repeated). */
  readonly payload: string;
  readonly requireReply?: string | true | undefined;
  readonly minReplyLength: number;
  readonly maxReplyLength: number;
}

export interface MiscChecker extends CheckerCommon {
  readonly type: 'MISC_CHECK';
  readonly miscPath: string;
  /** Seconds; default (and 0): the virtual server's delay_loop. */
  readonly miscTimeout: number;
  readonly miscDynamic: boolean;
  readonly user?: string | undefined;
  readonly group?: string | undefined;
}

export interface FileChecker {
  readonly type: 'FILE_CHECK';
  readonly at: SourcePosition;
  readonly trackFile: string;
  /** Default: the track_file's weight (and its reverse). */
  readonly weight: number;
  readonly weightReverse: boolean;
  /**
   * Seconds between reads: its real server's delay_loop (keepalived watches the file with inotify; vigil reads it
   * on this period too, besides its own file watch). FILE_CHECK has no keyword of its own for it.
   */
  readonly delayLoop: number;
  /** Seconds before the first read: its real server's warmup, else delay_loop (as any checker's). */
  readonly warmup: number;
}

export interface BfdChecker {
  readonly type: 'BFD_CHECK';
  readonly at: SourcePosition;
  readonly name: string;
  readonly alpha: boolean;
}

export type Checker = HttpChecker | TcpChecker | PingChecker | SmtpChecker | DnsChecker | UdpChecker | MiscChecker | FileChecker | BfdChecker;
export type CheckerType = Checker['type'];

export interface RealServer {
  readonly at: SourcePosition;
  readonly ip: string;
  readonly port: number;
  readonly family: IpFamily;
  readonly weight: number;
  readonly forwarding: Forwarding;
  readonly notifyUp?: Script | undefined;
  readonly notifyDown?: Script | undefined;
  readonly uthreshold?: number | undefined;
  readonly lthreshold?: number | undefined;
  readonly inhibitOnFailure: boolean;
  readonly alpha: boolean;
  readonly retry?: number | undefined;
  readonly delayBeforeRetry?: number | undefined;
  readonly warmup?: number | undefined;
  readonly connectTimeout: number;
  readonly delayLoop: number;
  readonly smtpAlert?: boolean | undefined;
  readonly virtualhost?: string | undefined;
  readonly snmpName?: string | undefined;
  readonly checkers: readonly Checker[];
}

export interface SorryServer {
  readonly ip: string;
  readonly port: number;
  readonly family: IpFamily;
  readonly forwarding: Forwarding;
  readonly inhibit: boolean;
}

export type VirtualServerAddress =
  | { readonly kind: 'ip'; readonly ip: string; readonly port: number; readonly family: IpFamily }
  | { readonly kind: 'fwmark'; readonly fwmark: number }
  | { readonly kind: 'group'; readonly group: string };

export type LvsScheduler = 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'sh' | 'mh' | 'dh' | 'fo' | 'ovf' | 'lblcr' | 'sed' | 'nq' | 'twos';

export interface VirtualServer {
  readonly at: SourcePosition;
  readonly address: VirtualServerAddress;
  /** Address family (from the address, ip_family, or the real servers). */
  readonly family: IpFamily;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  /** Default wlc; the IPVS scheduler's name (twos: the kernel's ip_vs_twos, Linux 6.2 and later). */
  readonly lbAlgo: LvsScheduler;
  readonly forwarding: Forwarding;
  /** ops, hashed, flag-1..3, sh-port, sh-fallback, mh-port, mh-fallback. */
  readonly schedulerFlags: readonly string[];
  readonly persistenceTimeout?: number | undefined;
  readonly persistenceGranularity?: string | undefined;
  readonly persistenceEngine?: string | undefined;
  readonly haSuspend: boolean;
  /** vigil's announce_table: the routing table its addresses' host routes go in while it has its quorum. */
  readonly announceTable?: number | undefined;
  readonly smtpAlert?: boolean | undefined;
  readonly virtualhost?: string | undefined;
  readonly snmpName?: string | undefined;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: Script | undefined;
  readonly quorumDown?: Script | undefined;
  readonly ipFamily?: 'inet' | 'inet6' | undefined;
  readonly sorryServer?: SorryServer | undefined;
  readonly connectTimeout: number;
  readonly retry?: number | undefined;
  readonly delayBeforeRetry?: number | undefined;
  readonly warmup?: number | undefined;
  readonly delayLoop: number;
  readonly inhibitOnFailure: boolean;
  /** Default weight of its real servers. */
  readonly weight: number;
  readonly realServers: readonly RealServer[];
}

export type VirtualServerGroupEntry =
  | {
      readonly kind: 'address';
      readonly family: IpFamily;
      /** First address of the range. */
      readonly ip: string;
      /** Last address when a range (`10.0.0.1-10`, `a-b`, `x/nn`) was given. */
      readonly rangeEnd?: string | undefined;
      readonly port?: number | undefined;
    }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family?: IpFamily | undefined };

export interface VirtualServerGroup {
  readonly name: string;
  readonly at: SourcePosition;
  readonly entries: readonly VirtualServerGroupEntry[];
}

export interface SslContext {
  readonly password?: string | undefined;
  readonly ca?: string | undefined;
  readonly certificate?: string | undefined;
  readonly key?: string | undefined;
}

export interface Config {
  readonly globalDefs: GlobalDefs;
  readonly staticIpAddresses: readonly IpAddress[];
  readonly staticRoutes: readonly Route[];
  readonly staticRules: readonly Rule[];
  readonly trackGroups: readonly TrackGroup[];
  readonly linkbeatInterfaces: readonly { readonly name: string; readonly type?: string | undefined; readonly at?: SourcePosition | undefined }[];
  readonly interfaceUpDownDelays: readonly InterfaceDelay[];
  readonly garpGroups: readonly GarpGroup[];
  readonly vrrpScripts: readonly VrrpScript[];
  readonly trackFiles: readonly TrackFile[];
  readonly trackProcesses: readonly TrackProcess[];
  readonly bfdInstances: readonly BfdInstance[];
  readonly vrrpSyncGroups: readonly VrrpSyncGroup[];
  readonly vrrpInstances: readonly VrrpInstance[];
  readonly virtualServerGroups: readonly VirtualServerGroup[];
  readonly virtualServers: readonly VirtualServer[];
  readonly ssl?: SslContext | undefined;
}
