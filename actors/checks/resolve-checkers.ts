/**
 * From the finalized configuration (config/model.ts as config/finalize-lvs.ts completes it: every keepalived
 * default and every inheritance already applied) to what runs: checker machine parameters in milliseconds, the
 * prober's wire-level spec, the load balancer's services, and which VRRP instance a virtual server follows under
 * ha_suspend. Units and shapes only: no keepalived default is decided here.
 */
import { isIPv6 } from 'node:net';
import type { CheckerParams } from '../../machines/checker-logic.js';
import type { ServiceTemplate } from '../../machines/virtual-server-pool.js';
import type { Destination, ForwardingMethod, LbFamily, SchedulerFlag, TunnelOptions } from '../../machines/desired-state.js';
import type { Endpoint, ProbeSpec } from '../../transport/prober.js';
import { DNS_TYPE_NUMBERS } from '../../protocol/dns-message.js';
import { parseHexString } from '../../protocol/hex-string.js';
import { regexFlags } from '../../protocol/http-body-regex.js';
import { translatePattern } from '../../protocol/pcre2-pattern.js';
import { groupFwmarks } from './group-fwmarks.js';
import { canonicalIp } from '../../protocol/ip.js';
import { expandAddressRange } from '../../protocol/ip-range.js';
import { maglevTableSize } from '../../protocol/maglev.js';
import { splitCommandLine } from '../../config/command-line.js';
import type { Checker, CheckerConnection, CheckerTiming, CheckerType, Config, Forwarding, HttpChecker, HttpUrl, RealServer, VirtualServer, VirtualServerGroupEntry } from '../../config/model.js';

export interface ResolvedChecker {
  readonly id: string;
  readonly kind: CheckerType;
  readonly params: CheckerParams;
  readonly warmupMs: number;
  readonly probe: ProbeSpec;
  /** keepalived `log_all_failures` (or global_defs `checker_log_all_failures`): every failure while up is logged. */
  readonly logAllFailures?: true;
}

/**
 * A BFD_CHECK: no probe of its own, the state of a BFD session (actors/bfd/node-bfd.ts) on the main thread, as
 * keepalived's checker process hears its BFD process (check_bfd.c): up while the session is Up.
 */
export interface ResolvedBfdCheck {
  readonly id: string;
  /** The bfd_instance. */
  readonly name: string;
  /** Starts down (keepalived `alpha`); the session's state at start replaces it at once in any case. */
  readonly alpha: boolean;
}

export interface ResolvedRealServer {
  /** address:port ([v6]:port), unique within its virtual server. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** Configured weight (keepalived iweight). */
  readonly weight: number;
  readonly forwarding: ForwardingMethod;
  readonly tunnel?: TunnelOptions;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp?: string;
  readonly notifyDown?: string;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  readonly checkers: readonly ResolvedChecker[];
  /** BFD_CHECKs: counted with the checkers (the real server is alive when all are up), run by no checker host. */
  readonly bfdChecks?: readonly ResolvedBfdCheck[];
}

export interface ResolvedVirtualServer {
  readonly key: string;
  readonly services: readonly ServiceTemplate[];
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: string;
  readonly quorumDown?: string;
  readonly sorryServer?: Destination;
  readonly sorryServerInhibit: boolean;
  readonly omega: boolean;
  readonly haSuspend: boolean;
  readonly vrrpInstance?: string;
  readonly realServers: readonly ResolvedRealServer[];
}

/** What resolution reads of the configuration besides the virtual servers: groups, track files, SSL, VIPs. */
export type LvsConfig = Pick<Config, 'virtualServers' | 'virtualServerGroups' | 'trackFiles' | 'vrrpInstances' | 'ssl'> & {
  /** Absent in tests that resolve bare virtual servers: keepalived's global defaults. */
  readonly globalDefs?: Config['globalDefs'];
};

const S = 1000;

/** keepalived's sorry server weight (check_data.c alloc_ssvr): it has no `weight` keyword. */
const SORRY_SERVER_WEIGHT = 1;

/** A real server's key: `address:port`, `[v6]:port`. */
export function hostPort(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** regex_options as JavaScript flags and the offset window (config/keywords/checkers.ts checked min <= max). */
function regexWindow(u: HttpUrl): { regexFlags?: string; regexMinOffset?: number; regexMaxOffset?: number; regexFirstLine?: boolean } {
  const flags = regexFlags(u.regexOptions ?? []);
  return {
    ...(flags !== '' ? { regexFlags: flags } : {}),
    ...(u.regexOptions?.includes('firstline') ? { regexFirstLine: true } : {}),
    ...(u.regexMinOffset !== undefined && u.regexMinOffset > 0 ? { regexMinOffset: u.regexMinOffset } : {}),
    ...(u.regexMaxOffset !== undefined ? { regexMaxOffset: u.regexMaxOffset } : {}),
  };
}

function familyOf(address: string): LbFamily {
  return isIPv6(address) ? 6 : 4;
}

type TimedChecker = CheckerTiming;

function timing(type: CheckerType, c: TimedChecker, timeoutMs: number): { params: CheckerParams; warmupMs: number } {
  const isHttp = type === 'HTTP_GET' || type === 'SSL_GET';
  return {
    params: {
      delayLoopMs: c.delayLoop * S,
      timeoutMs,
      retry: c.retry,
      delayBeforeRetryMs: c.delayBeforeRetry * S,
      // keepalived check_http.c epilog: a failed URL is retried after max(delay_before_retry, delay_loop).
      delayWhileDownMs: (isHttp ? Math.max(c.delayBeforeRetry, c.delayLoop) : c.delayLoop) * S,
      alpha: c.alpha,
      // MISC_CHECK's delay_loop runs from the script's start, not its end.
      fromStart: type === 'MISC_CHECK',
    },
    warmupMs: c.warmup * S,
  };
}

function endpoint(rs: RealServer, c: Omit<CheckerConnection, 'connectTimeout'>): Endpoint {
  return {
    host: c.connectIp ?? rs.ip,
    port: c.connectPort ?? rs.port,
    ...(c.bindTo !== undefined ? { bindto: c.bindTo } : {}),
    ...(c.bindPort !== undefined ? { bindPort: c.bindPort } : {}),
    ...(c.bindIf !== undefined ? { device: c.bindIf } : {}),
    // keepalived layer4.c sets SO_MARK only for a non-zero fwmark.
    ...(c.fwmark !== undefined && c.fwmark !== 0 ? { mark: c.fwmark } : {}),
  };
}

interface Context {
  readonly config: LvsConfig;
  readonly rs: RealServer;
}

/** One checker → one or more resolved checkers (SMTP_CHECK `host` blocks each become one, as in keepalived). */
function resolveChecker(ctx: Context, c: Checker, id: string): ResolvedChecker[] {
  const { rs } = ctx;
  if (c.type === 'BFD_CHECK') return []; // resolveBfdChecks
  if (c.type === 'FILE_CHECK') {
    const file = ctx.config.trackFiles.find((f) => f.name === c.trackFile);
    if (file === undefined) return []; // finalize-lvs dropped it with an error
    // Read every delay_loop (config/finalize-lvs.ts). Its state is known at once: no retry, never alpha.
    const params = timing('FILE_CHECK', { delayLoop: c.delayLoop, retry: 0, delayBeforeRetry: c.delayLoop, warmup: c.warmup, alpha: false }, 1000);
    return [{ id, kind: c.type, ...params, probe: { kind: 'file', path: file.file, weight: c.weight ?? file.weight, reverse: c.weightReverse } }];
  }
  const logAll = c.logAllFailures || ctx.config.globalDefs?.checkerLogAllFailures === true ? { logAllFailures: true as const } : {};
  const one = (probe: ProbeSpec, timeoutMs: number, suffix = ''): ResolvedChecker => ({ id: `${id}${suffix}`, kind: c.type, ...timing(c.type, c, timeoutMs), probe, ...logAll });
  switch (c.type) {
    case 'TCP_CHECK': {
      const t = c.connectTimeout * S;
      return [one({ kind: 'tcp', target: endpoint(rs, c), timeoutMs: t }, t)];
    }
    case 'HTTP_GET':
    case 'SSL_GET': {
      const t = c.connectTimeout * S;
      const target = endpoint(rs, c);
      const urls = c.urls.map((u) => ({
        path: u.path,
        ...(u.digest !== undefined ? { digest: u.digest } : {}),
        statusCodes: u.statusCodes,
        // The Host header: the url's virtualhost, else the checker's (inherited), else the address it connects to.
        host: u.virtualhost ?? c.virtualhost ?? hostPort(target.host, target.port),
        // extended, ungreedy, alt_bsux: the pattern as JavaScript must read it to mean what PCRE2 reads.
        ...(u.regex !== undefined ? { regex: translatePattern(u.regex, u.regexOptions ?? []), regexNoMatch: u.regexNoMatch, ...regexWindow(u) } : {}),
      }));
      const ssl = ctx.config.ssl;
      const probe: ProbeSpec = {
        kind: 'http',
        tls: c.type === 'SSL_GET',
        target,
        timeoutMs: t,
        urls,
        httpProtocol: c.httpProtocol,
        ...(c.enableSni && c.virtualhost !== undefined ? { servername: c.virtualhost } : {}),
        ...(c.type === 'SSL_GET' && ssl !== undefined ? { tlsFiles: { ca: ssl.ca, certificate: ssl.certificate, key: ssl.key, password: ssl.password } } : {}),
      };
      // Each url gets connect_timeout; the machine waits for all of them.
      const checker = one(probe, t * Math.max(1, urls.length));
      if (c.fastRecovery) return [checker];
      // Without fast_recovery keepalived rechecks its N urls delay_loop apart before a DOWN checker is UP again
      // (machines/checker-logic.ts).
      return [{ ...checker, params: { ...checker.params, confirmUpAfterMs: Math.max(1, urls.length) * checker.params.delayLoopMs } }];
    }
    case 'MISC_CHECK': {
      const t = c.miscTimeout * S;
      const who = { ...(c.user !== undefined ? { user: c.user } : {}), ...(c.group !== undefined ? { group: c.group } : {}) };
      return [one({ kind: 'misc', argv: splitCommandLine(c.miscPath), timeoutMs: t, dynamic: c.miscDynamic, ...who }, t)];
    }
    case 'SMTP_CHECK': {
      const out: ResolvedChecker[] = [];
      if (c.hosts.length === 0 || c.connectIp !== undefined || c.connectPort !== undefined) {
        const t = c.connectTimeout * S;
        out.push(one({ kind: 'smtp', target: endpoint(rs, c), timeoutMs: t, heloName: c.heloName }, t));
      }
      c.hosts.forEach((host, i) => {
        const t = host.connectTimeout * S;
        out.push(one({ kind: 'smtp', target: endpoint(rs, host), timeoutMs: t, heloName: c.heloName }, t, `/host${i}`));
      });
      return out;
    }
    case 'DNS_CHECK': {
      const t = c.connectTimeout * S;
      return [one({ kind: 'dns', target: endpoint(rs, c), timeoutMs: t, name: c.name, type: DNS_TYPE_NUMBERS[c.queryType]! }, t)];
    }
    case 'UDP_CHECK': {
      const t = c.connectTimeout * S;
      const reply = typeof c.requireReply === 'string' ? parseHexString(c.requireReply, true) : undefined;
      return [
        one(
          {
            kind: 'udp',
            target: endpoint(rs, c),
            timeoutMs: t,
            payload: parseHexString(c.payload).data,
            requireReply: c.requireReply !== undefined,
            ...(reply !== undefined ? { replyData: reply.data } : {}),
            ...(reply?.mask !== undefined ? { replyMask: reply.mask } : {}),
            minReplyLength: c.minReplyLength,
            maxReplyLength: c.maxReplyLength,
          },
          t,
        ),
      ];
    }
    case 'PING_CHECK': {
      const t = c.connectTimeout * S;
      return [one({ kind: 'ping', target: endpoint(rs, c), timeoutMs: t }, t)];
    }
  }
}

function resolveRealServer(config: LvsConfig, vsKey: string, rs: RealServer): ResolvedRealServer {
  const key = hostPort(rs.ip, rs.port);
  const ctx: Context = { config, rs };
  return {
    key,
    address: rs.ip,
    port: rs.port,
    weight: rs.weight,
    forwarding: rs.forwarding.method,
    ...tunnelOf(rs.forwarding),
    inhibitOnFailure: rs.inhibitOnFailure,
    ...(rs.notifyUp !== undefined ? { notifyUp: rs.notifyUp.command } : {}),
    ...(rs.notifyDown !== undefined ? { notifyDown: rs.notifyDown.command } : {}),
    ...(rs.uthreshold !== undefined ? { upperThreshold: rs.uthreshold } : {}),
    ...(rs.lthreshold !== undefined ? { lowerThreshold: rs.lthreshold } : {}),
    checkers: rs.checkers.flatMap((c, i) => resolveChecker(ctx, c, `${vsKey}|${key}|${i}:${c.type}`)),
    ...resolveBfdChecks(rs, `${vsKey}|${key}`),
  };
}

function resolveBfdChecks(rs: RealServer, prefix: string): { bfdChecks?: ResolvedBfdCheck[] } {
  const bfdChecks = rs.checkers.flatMap((c, i) => (c.type === 'BFD_CHECK' ? [{ id: `${prefix}|${i}:BFD_CHECK`, name: c.name, alpha: c.alpha }] : []));
  return bfdChecks.length > 0 ? { bfdChecks } : {};
}

/** The text keepalived prints for a virtual server: "address:port", "[v6]:port", "FWM n", "group NAME". */
export function virtualServerKey(vs: Pick<VirtualServer, 'address'>): string {
  const a = vs.address;
  if (a.kind === 'ip') return hostPort(a.ip, a.port);
  if (a.kind === 'fwmark') return `FWM ${a.fwmark}`;
  return `group ${a.group}`;
}

/** A group entry's services: every address of a range (finalize-lvs bounds its size), or a fwmark. */
export function expandGroupEntry(entry: VirtualServerGroupEntry): { address: string; port: number }[] | { fwmark: number; family?: LbFamily } {
  if (entry.kind === 'fwmark') return { fwmark: entry.fwmark, ...(entry.family !== undefined ? { family: entry.family } : {}) };
  const port = entry.port ?? 0;
  const addresses = entry.rangeEnd === undefined ? [entry.ip] : expandAddressRange(entry.ip, entry.rangeEnd);
  return addresses.map((address) => ({ address, port }));
}

/** A TUN server's tunnel (`type ipip|gue|gre`, `port`, checksum); plain TUN is IPIP. */
function tunnelOf(f: Forwarding): { tunnel?: TunnelOptions } {
  if (f.method !== 'TUN' || (f.tunnelType === undefined && f.tunnelChecksum === undefined)) return {};
  return {
    tunnel: {
      type: f.tunnelType ?? 'ipip',
      ...(f.tunnelPort !== undefined ? { port: f.tunnelPort } : {}),
      ...(f.tunnelChecksum !== undefined ? { checksum: f.tunnelChecksum } : {}),
    },
  };
}

/** The IPVS flag of each keepalived flag word finalize-lvs.ts kept: sh/mh fallback is SCHED1, port is SCHED2. */
const FLAG_OF: Readonly<Record<string, SchedulerFlag | undefined>> = {
  ops: 'ops',
  'flag-1': 'flag-1',
  'flag-2': 'flag-2',
  'flag-3': 'flag-3',
  'sh-fallback': 'flag-1',
  'mh-fallback': 'flag-1',
  'sh-port': 'flag-2',
  'mh-port': 'flag-2',
};

function schedulerFlags(vs: VirtualServer): { schedulerFlags?: SchedulerFlag[] } {
  const flags = [...new Set(vs.schedulerFlags.map((f) => FLAG_OF[f]).filter((f): f is SchedulerFlag => f !== undefined))];
  return flags.length > 0 ? { schedulerFlags: flags } : {};
}

/** keepalived `persistence_granularity`: a netmask for IPv4, a prefix length for IPv6. */
function granularity(vs: VirtualServer): string | number | undefined {
  const g = vs.persistenceGranularity;
  return g !== undefined && vs.family === 6 && /^\d+$/.test(g) ? Number(g) : g;
}

function serviceTemplates(config: LvsConfig, vs: VirtualServer, key: string): ServiceTemplate[] {
  const g = granularity(vs);
  const base = {
    protocol: vs.protocol.toLowerCase() as Lowercase<VirtualServer['protocol']>,
    scheduler: vs.lbAlgo,
    ...(vs.persistenceTimeout !== undefined ? { persistenceTimeout: vs.persistenceTimeout } : {}),
    ...(g !== undefined ? { persistenceGranularity: g } : {}),
    ...(vs.persistenceEngine !== undefined ? { persistenceEngine: vs.persistenceEngine } : {}),
    ...schedulerFlags(vs),
    // The Maglev table of lb_algo mh on nftables: sized by the configured real servers, fixed until a reload.
    ...(vs.lbAlgo === 'mh' ? { hashTableSize: maglevTableSize(vs.realServers.length), hashPool: vs.realServers.map((rs) => ({ address: rs.ip, port: rs.port })) } : {}),
  } as const;
  const a = vs.address;
  if (a.kind === 'ip') return [{ ...base, kind: 'address', key, family: familyOf(a.ip), address: a.ip, port: a.port }];
  if (a.kind === 'fwmark') return [{ ...base, kind: 'fwmark', key, family: vs.family, fwmark: a.fwmark }];
  const out: ServiceTemplate[] = [];
  // nftables_ipvs: a group of addresses only is one fwmark service per family, nftables marking its addresses.
  const mark = groupFwmarks(config).markOf(a.group, base.protocol);
  if (mark !== undefined) {
    const families = groupFwmarks(config).familiesOf(a.group);
    for (const family of families) out.push({ ...base, kind: 'fwmark', key: `${key}#FWM ${mark}${families.length > 1 ? ` IPv${family}` : ''}`, family, fwmark: mark });
    return out;
  }
  for (const entry of config.virtualServerGroups.find((x) => x.name === a.group)?.entries ?? []) {
    const expanded = expandGroupEntry(entry);
    if ('fwmark' in expanded) {
      out.push({ ...base, kind: 'fwmark', key: `${key}#FWM ${expanded.fwmark}`, family: expanded.family ?? vs.family, fwmark: expanded.fwmark });
    } else {
      for (const e of expanded) out.push({ ...base, kind: 'address', key: `${key}#${hostPort(e.address, e.port)}`, family: familyOf(e.address), address: e.address, port: e.port });
    }
  }
  return out;
}

/** ha_suspend: the vrrp_instance whose virtual_ipaddress holds the virtual server's address (keepalived's rule). */
function owningInstance(config: LvsConfig, vs: VirtualServer): string | undefined {
  if (vs.address.kind !== 'ip') return undefined;
  const ip = canonicalIp(vs.address.ip);
  return config.vrrpInstances.find((i) => [...i.virtualIpAddresses, ...i.excludedVirtualIpAddresses].some((v) => canonicalIp(v.address) === ip))?.name;
}

export function resolveVirtualServer(config: LvsConfig, vs: VirtualServer, key = virtualServerKey(vs)): ResolvedVirtualServer {
  const sorry = vs.sorryServer;
  const vrrpInstance = owningInstance(config, vs);
  return {
    key,
    services: serviceTemplates(config, vs, key),
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    ...(vs.quorumUp !== undefined ? { quorumUp: vs.quorumUp.command } : {}),
    ...(vs.quorumDown !== undefined ? { quorumDown: vs.quorumDown.command } : {}),
    ...(sorry !== undefined ? { sorryServer: { address: sorry.ip, port: sorry.port, weight: SORRY_SERVER_WEIGHT, forwarding: sorry.forwarding.method, ...tunnelOf(sorry.forwarding) } } : {}),
    sorryServerInhibit: sorry?.inhibit ?? false,
    omega: vs.omega,
    haSuspend: vs.haSuspend,
    ...(vrrpInstance !== undefined ? { vrrpInstance } : {}),
    realServers: vs.realServers.map((rs) => resolveRealServer(config, key, rs)),
  };
}

/**
 * Every virtual server of the configuration. Two virtual servers may share keepalived's text (one address and
 * port over TCP and UDP): the later ones get " (2)", " (3)" so that services and checkers keep distinct keys.
 */
export function resolveVirtualServers(config: LvsConfig): ResolvedVirtualServer[] {
  return [...eachVirtualServer(config)];
}

/** The same, one at a time as they are asked for: a daemon building thousands resolves them a slice per turn. */
export function* eachVirtualServer(config: LvsConfig): Generator<ResolvedVirtualServer> {
  const keys = virtualServerKeys(config.virtualServers);
  for (const [i, vs] of config.virtualServers.entries()) yield resolveVirtualServer(config, vs, keys[i]);
}

/** Each virtual server's key, in file order: a second one with the same address (another protocol) gets ` (2)`. */
export function virtualServerKeys(virtualServers: readonly Pick<VirtualServer, 'address'>[]): string[] {
  const seen = new Map<string, number>();
  return virtualServers.map((vs) => {
    const text = virtualServerKey(vs);
    const n = (seen.get(text) ?? 0) + 1;
    seen.set(text, n);
    return n === 1 ? text : `${text} (${n})`;
  });
}
