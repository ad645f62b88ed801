/**
 * Plain spec types for keepalived's `virtual_server` / `real_server` / checker blocks, named after the keywords
 * (camelCase). Times are in seconds, as written in keepalived.conf. The config reader maps its parsed model onto
 * these; actors/checks/resolve-checkers.ts applies keepalived's inheritance and defaults.
 */
import type { ForwardingMethod, LbFamily, LbProtocol, Scheduler } from '../../machines/desired-state.js';

/** Connection options of the network checkers (keepalived.conf "generic connection options"). */
export interface ConnectOptions {
  /** Default: the real server's address. */
  readonly connectIp?: string;
  /** Default: the real server's port. */
  readonly connectPort?: number;
  readonly bindto?: string;
  readonly bindPort?: number;
  /** Needed for an IPv6 link-local bindto. */
  readonly bindIf?: string;
  /** Seconds. Default: the real server's, else the virtual server's, else 5. */
  readonly connectTimeout?: number;
  /** SO_MARK on the checker's packets. */
  readonly fwmark?: number;
}

/** Timing keywords, settable on the virtual server, the real server or the checker (the nearest wins). */
export interface CheckerTimingSpec {
  /** Seconds between checks. Default 60 (virtual server). */
  readonly delayLoop?: number;
  /** `retry` (old name `nb_get_retry`): failures retried before DOWN. Default 1; DNS_CHECK 3; MISC_CHECK 0. */
  readonly retry?: number;
  /** Seconds. Default 1; HTTP_GET/SSL_GET 3; DNS_CHECK delay_loop. */
  readonly delayBeforeRetry?: number;
  /** Seconds: the first check waits a random time up to this. Default: delay_loop. */
  readonly warmup?: number;
  /** Start failed: a success is needed before the real server enters the pool. */
  readonly alpha?: boolean;
}

interface CheckerBase extends CheckerTimingSpec {
  /** Stable name for reports; default derived from the position. */
  readonly id?: string;
  readonly logAllFailures?: boolean;
}

export interface TcpCheckSpec extends CheckerBase, ConnectOptions {
  readonly kind: 'TCP_CHECK';
}

/** A status code or an inclusive range, as in `status_code 200 300-399`. */
export type StatusCodeSpec = number | readonly [number, number];

export interface HttpUrlSpec {
  readonly path: string;
  /** MD5 of the body, 32 hex digits (keepalived `digest`, as genhash prints it). */
  readonly digest?: string;
  /** Default 200-299. */
  readonly statusCode?: readonly StatusCodeSpec[];
  readonly virtualhost?: string;
  /** A regular expression the body must match (JavaScript syntax, close to PCRE2 for common patterns). */
  readonly regex?: string;
  /** The body must not match `regex`. */
  readonly regexNoMatch?: boolean;
}

export interface HttpGetSpec extends CheckerBase, ConnectOptions {
  readonly kind: 'HTTP_GET' | 'SSL_GET';
  readonly url: readonly HttpUrlSpec[];
  readonly virtualhost?: string;
  /** Default '1.0'. '1.0C' adds "Connection: close"; '1.1' sends it too. */
  readonly httpProtocol?: '1.0' | '1.0C' | '1.1';
  /** SSL_GET: send SNI (the virtualhost, or `sniName`). */
  readonly enableSni?: boolean;
  readonly sniName?: string;
  /** The global `SSL { }` block (ca, certificate, key files and the key's password), for SSL_GET. */
  readonly ssl?: { readonly ca?: string; readonly certificate?: string; readonly key?: string; readonly password?: string };
}

export interface MiscCheckSpec extends CheckerBase {
  readonly kind: 'MISC_CHECK';
  /** The command line (split like a shell word list, no shell involved) or the argument vector. */
  readonly miscPath: string | readonly string[];
  /** Seconds; default: the virtual server's delay_loop. */
  readonly miscTimeout?: number;
  /** Exit status 2..255 sets the weight to status − 2. */
  readonly miscDynamic?: boolean;
  /** `user USERNAME [GROUPNAME]`. */
  readonly user?: string;
  readonly group?: string;
}

export interface SmtpCheckSpec extends CheckerBase, ConnectOptions {
  readonly kind: 'SMTP_CHECK';
  /** Default "smtpchecker.keepalived.org". */
  readonly heloName?: string;
  /** The deprecated `host { }` blocks: each becomes a checker of its own, as keepalived does. */
  readonly host?: readonly ConnectOptions[];
}

export const DNS_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const;
export type DnsTypeName = (typeof DNS_TYPES)[number];

export interface DnsCheckSpec extends CheckerBase, ConnectOptions {
  readonly kind: 'DNS_CHECK';
  /** Default SOA. */
  readonly type?: DnsTypeName;
  /** Default "." (the root). */
  readonly name?: string;
}

export interface UdpCheckSpec extends CheckerBase, ConnectOptions {
  readonly kind: 'UDP_CHECK';
  /** keepalived HEX_STR ("Ab12f 3 456"); default: random bytes. */
  readonly payload?: string;
  /** true: a reply is required; a HEX_STR (x/X nibbles are wildcards): the reply must also match it. */
  readonly requireReply?: boolean | string;
  /** Default 0. */
  readonly minReplyLength?: number;
  /** Default 255. */
  readonly maxReplyLength?: number;
}

export interface PingCheckSpec extends CheckerBase, ConnectOptions {
  readonly kind: 'PING_CHECK';
}

/** A `track_file` block (global), as FILE_CHECK refers to it by name. */
export interface TrackFileSpec {
  readonly name: string;
  readonly file: string;
  /** Default 1. */
  readonly weight?: number;
  readonly reverse?: boolean;
}

export interface FileCheckSpec extends CheckerBase {
  readonly kind: 'FILE_CHECK';
  readonly trackFile: TrackFileSpec;
  /** Overrides the track_file's weight; 0: any non-zero value means DOWN. */
  readonly weight?: number;
  readonly reverse?: boolean;
}

export type CheckerSpec =
  | TcpCheckSpec
  | HttpGetSpec
  | MiscCheckSpec
  | SmtpCheckSpec
  | DnsCheckSpec
  | UdpCheckSpec
  | PingCheckSpec
  | FileCheckSpec;

export interface RealServerSpec extends CheckerTimingSpec {
  readonly address: string;
  /** 0 in a fwmark service keeps the packet's port. */
  readonly port: number;
  /** Default: the virtual server's `weight` (1). */
  readonly weight?: number;
  /** Default: the virtual server's. */
  readonly lbKind?: ForwardingMethod;
  /** Keep a failed server with weight 0 instead of removing it. */
  readonly inhibitOnFailure?: boolean;
  /** Scripts (argument vectors are the lead's to decide; here they are names for the notify actions). */
  readonly notifyUp?: string;
  readonly notifyDown?: string;
  readonly uthreshold?: number;
  readonly lthreshold?: number;
  readonly virtualhost?: string;
  readonly connectTimeout?: number;
  readonly checkers: readonly CheckerSpec[];
}

export interface SorryServerSpec {
  readonly address: string;
  /** Default: the virtual server's port. */
  readonly port?: number;
  readonly lbKind?: ForwardingMethod;
  readonly weight?: number;
}

/** One entry of a `virtual_server_group`: an address (or a range on its last part) with a port, or a fwmark. */
export type VirtualServerGroupEntry =
  | { readonly address: string; readonly rangeEnd?: number; readonly port: number }
  | { readonly fwmark: number };

export type VirtualServerTarget =
  | { readonly kind: 'address'; readonly address: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family?: LbFamily }
  | { readonly kind: 'group'; readonly name: string; readonly entries: readonly VirtualServerGroupEntry[]; readonly family?: LbFamily };

export interface VirtualServerSpec extends CheckerTimingSpec {
  /** Identity in reports and the load balancer (default: the target's text). */
  readonly key?: string;
  readonly target: VirtualServerTarget;
  /** Default 'tcp'. */
  readonly protocol?: LbProtocol;
  /** `lb_algo`, default wlc. */
  readonly lbAlgo?: Scheduler;
  /** `lb_kind`, default NAT. */
  readonly lbKind?: ForwardingMethod;
  readonly persistenceTimeout?: number;
  readonly persistenceGranularity?: string | number;
  /** Weight of real servers that set none. Default 1. */
  readonly weight?: number;
  readonly connectTimeout?: number;
  readonly virtualhost?: string;
  readonly inhibitOnFailure?: boolean;
  /** Default 1. */
  readonly quorum?: number;
  /** Default 0. */
  readonly hysteresis?: number;
  /** Notify scripts on gaining / losing quorum (names for the notify actions). */
  readonly quorumUp?: string;
  readonly quorumDown?: string;
  readonly sorryServer?: SorryServerSpec;
  /** Keep the sorry server in the pool with weight 0 while it is not used. */
  readonly sorryServerInhibit?: boolean;
  /** Run the down notifications (real servers, quorum) on shutdown too. */
  readonly omega?: boolean;
  /** Checkers pause while this virtual server's address is not ours (the owning VRRP instance is not MASTER). */
  readonly haSuspend?: boolean;
  /** The VRRP instance whose MASTER state carries the address (for ha_suspend). */
  readonly vrrpInstance?: string;
  readonly realServers: readonly RealServerSpec[];
}
