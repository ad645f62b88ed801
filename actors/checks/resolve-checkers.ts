/**
 * From spec (keepalived keywords, seconds) to what runs: checker machine parameters in milliseconds and the
 * prober's wire-level spec, with keepalived's inheritance (checker ← real_server ← virtual_server) and defaults
 * (keepalived check_data.c validate_check_config, check_*.c keyword handlers):
 * delay_loop 60 s; connect_timeout 5 s; retry 1 (DNS_CHECK 3, MISC_CHECK 0); delay_before_retry 1 s
 * (HTTP_GET/SSL_GET 3 s, DNS_CHECK delay_loop); warmup = delay_loop; alpha off; weight 1; lb_algo wlc; lb_kind NAT;
 * quorum 1, hysteresis 0.
 */
import { isIPv6 } from 'node:net';
import type { CheckerParams } from '../../machines/checker-logic.js';
import type { ServiceTemplate } from '../../machines/virtual-server-pool.js';
import type { Destination, ForwardingMethod, LbFamily } from '../../machines/desired-state.js';
import type { Endpoint, ProbeSpec } from '../../transport/prober.js';
import { DNS_TYPE_NUMBERS } from '../../protocol/dns-message.js';
import { parseHexString } from '../../protocol/hex-string.js';
import { DEFAULT_HELO_NAME } from '../../config/finalize-lvs.js';
import { splitCommandLine } from '../../config/command-line.js';
import type { Random } from '../../transport/random.js';
import type {
  CheckerSpec,
  CheckerTimingSpec,
  ConnectOptions,
  HttpGetSpec,
  RealServerSpec,
  VirtualServerGroupEntry,
  VirtualServerSpec,
} from '../lvs/virtual-server-spec.js';

export interface ResolvedChecker {
  readonly id: string;
  readonly kind: CheckerSpec['kind'];
  readonly params: CheckerParams;
  readonly warmupMs: number;
  readonly probe: ProbeSpec;
}

export interface ResolvedRealServer {
  /** address:port ([v6]:port), unique within its virtual server. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** Configured weight (keepalived iweight). */
  readonly weight: number;
  readonly forwarding: ForwardingMethod;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp?: string;
  readonly notifyDown?: string;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  readonly checkers: readonly ResolvedChecker[];
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

const S = 1000;

function hostPort(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

function familyOf(address: string): LbFamily {
  return isIPv6(address) ? 6 : 4;
}

/** The first defined value. */
function pick<T>(...values: (T | undefined)[]): T | undefined {
  for (const v of values) if (v !== undefined) return v;
  return undefined;
}

interface Context {
  readonly vs: VirtualServerSpec;
  readonly rs: RealServerSpec;
  readonly random: Random;
}

function timing(ctx: Context, checker: CheckerTimingSpec & { kind: CheckerSpec['kind'] }, timeoutMs: number): { params: CheckerParams; warmupMs: number } {
  const { vs, rs } = ctx;
  const delayLoop = pick(checker.delayLoop, rs.delayLoop, vs.delayLoop) ?? 60;
  const kindRetry = checker.kind === 'DNS_CHECK' ? 3 : checker.kind === 'MISC_CHECK' ? 0 : 1;
  const retry = pick(checker.retry, rs.retry, vs.retry) ?? kindRetry;
  const kindDbr = checker.kind === 'HTTP_GET' || checker.kind === 'SSL_GET' ? 3 : checker.kind === 'DNS_CHECK' ? delayLoop : 1;
  const delayBeforeRetry = pick(checker.delayBeforeRetry, rs.delayBeforeRetry, vs.delayBeforeRetry) ?? kindDbr;
  const warmup = pick(checker.warmup, rs.warmup, vs.warmup) ?? delayLoop;
  const alpha = checker.kind === 'FILE_CHECK' ? false : (pick(checker.alpha, rs.alpha, vs.alpha) ?? false);
  const isHttp = checker.kind === 'HTTP_GET' || checker.kind === 'SSL_GET';
  return {
    params: {
      delayLoopMs: delayLoop * S,
      timeoutMs,
      retry: checker.kind === 'FILE_CHECK' ? 0 : retry,
      delayBeforeRetryMs: delayBeforeRetry * S,
      // keepalived check_http.c epilog: a failed URL is retried after max(delay_before_retry, delay_loop).
      delayWhileDownMs: (isHttp ? Math.max(delayBeforeRetry, delayLoop) : delayLoop) * S,
      alpha,
      fromStart: checker.kind === 'MISC_CHECK',
    },
    warmupMs: warmup * S,
  };
}

function endpoint(ctx: Context, options: ConnectOptions): Endpoint {
  return {
    host: options.connectIp ?? ctx.rs.address,
    port: options.connectPort ?? ctx.rs.port,
    ...(options.bindto !== undefined ? { bindto: options.bindto } : {}),
    ...(options.bindPort !== undefined ? { bindPort: options.bindPort } : {}),
  };
}

function connectTimeoutMs(ctx: Context, options: ConnectOptions): number {
  return (pick(options.connectTimeout, ctx.rs.connectTimeout, ctx.vs.connectTimeout) ?? 5) * S;
}

function statusRanges(codes: HttpGetSpec['url'][number]['statusCode']): (readonly [number, number])[] {
  if (codes === undefined || codes.length === 0) return [[200, 299]];
  return codes.map((c) => (typeof c === 'number' ? ([c, c] as const) : ([c[0], c[1]] as const)));
}

/** One checker spec → one or more resolved checkers (SMTP_CHECK `host` blocks each become one). */
function resolveChecker(ctx: Context, spec: CheckerSpec, id: string): ResolvedChecker[] {
  const one = (probe: ProbeSpec, timeoutMs: number, suffix = ''): ResolvedChecker => ({
    id: spec.id ?? `${id}${suffix}`,
    kind: spec.kind,
    ...timing(ctx, spec, timeoutMs),
    probe,
  });
  switch (spec.kind) {
    case 'TCP_CHECK': {
      const t = connectTimeoutMs(ctx, spec);
      return [one({ kind: 'tcp', target: endpoint(ctx, spec), timeoutMs: t }, t)];
    }
    case 'HTTP_GET':
    case 'SSL_GET': {
      const t = connectTimeoutMs(ctx, spec);
      const target = endpoint(ctx, spec);
      const urls = spec.url.map((u) => ({
        path: u.path,
        ...(u.digest !== undefined ? { digest: u.digest.toLowerCase() } : {}),
        statusCodes: statusRanges(u.statusCode),
        host: u.virtualhost ?? spec.virtualhost ?? ctx.rs.virtualhost ?? ctx.vs.virtualhost ?? hostPort(target.host, target.port),
        ...(u.regex !== undefined ? { regex: u.regex, regexNoMatch: u.regexNoMatch ?? false } : {}),
      }));
      const sni = spec.enableSni ? (spec.sniName ?? spec.virtualhost ?? ctx.rs.virtualhost ?? ctx.vs.virtualhost) : undefined;
      const probe: ProbeSpec = {
        kind: 'http',
        tls: spec.kind === 'SSL_GET',
        target,
        timeoutMs: t,
        urls,
        httpProtocol: spec.httpProtocol ?? '1.0',
        ...(sni !== undefined ? { servername: sni } : {}),
        ...(spec.kind === 'SSL_GET' && spec.ssl !== undefined ? { tlsFiles: spec.ssl } : {}),
      };
      // Each url gets connect_timeout; the machine waits for all of them.
      return [one(probe, t * Math.max(1, urls.length))];
    }
    case 'MISC_CHECK': {
      const t = (spec.miscTimeout ?? ctx.vs.delayLoop ?? 60) * S;
      const argv = typeof spec.miscPath === 'string' ? splitCommandLine(spec.miscPath) : [...spec.miscPath];
      const who = { ...(spec.user !== undefined ? { user: spec.user } : {}), ...(spec.group !== undefined ? { group: spec.group } : {}) };
      return [one({ kind: 'misc', argv, timeoutMs: t, dynamic: spec.miscDynamic ?? false, ...who }, t)];
    }
    case 'SMTP_CHECK': {
      const heloName = spec.heloName ?? DEFAULT_HELO_NAME;
      const hosts = spec.host ?? [];
      const out: ResolvedChecker[] = [];
      if (hosts.length === 0 || spec.connectIp !== undefined || spec.connectPort !== undefined) {
        const t = connectTimeoutMs(ctx, spec);
        out.push(one({ kind: 'smtp', target: endpoint(ctx, spec), timeoutMs: t, heloName }, t));
      }
      hosts.forEach((host, i) => {
        const options = { ...host, connectTimeout: host.connectTimeout ?? spec.connectTimeout };
        const t = connectTimeoutMs(ctx, options);
        out.push(one({ kind: 'smtp', target: endpoint(ctx, options), timeoutMs: t, heloName }, t, `/host${i}`));
      });
      return out;
    }
    case 'DNS_CHECK': {
      const t = connectTimeoutMs(ctx, spec);
      const type = DNS_TYPE_NUMBERS[spec.type ?? 'SOA'] ?? 6;
      return [one({ kind: 'dns', target: endpoint(ctx, spec), timeoutMs: t, name: spec.name ?? '.', type }, t)];
    }
    case 'UDP_CHECK': {
      const t = connectTimeoutMs(ctx, spec);
      const payload =
        spec.payload !== undefined
          ? parseHexString(spec.payload).data
          : Uint8Array.from({ length: 16 }, () => Math.floor(ctx.random.next() * 256));
      const reply = typeof spec.requireReply === 'string' ? parseHexString(spec.requireReply, true) : undefined;
      return [
        one(
          {
            kind: 'udp',
            target: endpoint(ctx, spec),
            timeoutMs: t,
            payload,
            requireReply: spec.requireReply !== undefined && spec.requireReply !== false,
            ...(reply !== undefined ? { replyData: reply.data } : {}),
            ...(reply?.mask !== undefined ? { replyMask: reply.mask } : {}),
            minReplyLength: spec.minReplyLength ?? 0,
            maxReplyLength: spec.maxReplyLength ?? 255,
          },
          t,
        ),
      ];
    }
    case 'PING_CHECK': {
      const t = connectTimeoutMs(ctx, spec);
      return [one({ kind: 'ping', target: endpoint(ctx, spec), timeoutMs: t }, t)];
    }
    case 'FILE_CHECK': {
      const weight = spec.weight ?? spec.trackFile.weight ?? 1;
      const reverse = spec.weight !== undefined ? (spec.reverse ?? false) : (spec.trackFile.reverse ?? false);
      return [one({ kind: 'file', path: spec.trackFile.file, weight, reverse }, 1000)];
    }
  }
}

function resolveRealServer(vs: VirtualServerSpec, vsKey: string, rs: RealServerSpec, random: Random): ResolvedRealServer {
  const key = hostPort(rs.address, rs.port);
  const ctx: Context = { vs, rs, random };
  const checkers = rs.checkers.flatMap((c, i) => resolveChecker(ctx, c, `${vsKey}|${key}|${i}:${c.kind}`));
  return {
    key,
    address: rs.address,
    port: rs.port,
    weight: rs.weight ?? vs.weight ?? 1,
    forwarding: rs.lbKind ?? vs.lbKind ?? 'NAT',
    inhibitOnFailure: rs.inhibitOnFailure ?? vs.inhibitOnFailure ?? false,
    ...(rs.notifyUp !== undefined ? { notifyUp: rs.notifyUp } : {}),
    ...(rs.notifyDown !== undefined ? { notifyDown: rs.notifyDown } : {}),
    ...(rs.uthreshold !== undefined ? { upperThreshold: rs.uthreshold } : {}),
    ...(rs.lthreshold !== undefined ? { lowerThreshold: rs.lthreshold } : {}),
    checkers,
  };
}

/** The text keepalived prints for a virtual server: "address:port", "[v6]:port", "FWM n", "group NAME". */
export function virtualServerKey(spec: VirtualServerSpec): string {
  if (spec.key !== undefined) return spec.key;
  const t = spec.target;
  if (t.kind === 'address') return hostPort(t.address, t.port);
  if (t.kind === 'fwmark') return `FWM ${t.fwmark}`;
  return `group ${t.name}`;
}

/** A group entry's addresses: a range runs over the last octet (IPv4) or the last 16-bit group (IPv6). */
export function expandGroupEntry(entry: VirtualServerGroupEntry): { address: string; port: number }[] | { fwmark: number } {
  if ('fwmark' in entry) return { fwmark: entry.fwmark };
  if (entry.rangeEnd === undefined) return [{ address: entry.address, port: entry.port }];
  const out: { address: string; port: number }[] = [];
  if (isIPv6(entry.address)) {
    const colon = entry.address.lastIndexOf(':');
    const prefix = entry.address.slice(0, colon + 1);
    const first = Number.parseInt(entry.address.slice(colon + 1) || '0', 16);
    for (let n = first; n <= entry.rangeEnd; n++) out.push({ address: `${prefix}${n.toString(16)}`, port: entry.port });
  } else {
    const dot = entry.address.lastIndexOf('.');
    const prefix = entry.address.slice(0, dot + 1);
    for (let n = Number(entry.address.slice(dot + 1)); n <= entry.rangeEnd; n++) out.push({ address: `${prefix}${n}`, port: entry.port });
  }
  return out;
}

function serviceTemplates(spec: VirtualServerSpec, key: string): ServiceTemplate[] {
  const base = {
    protocol: spec.protocol ?? 'tcp',
    scheduler: spec.lbAlgo ?? 'wlc',
    ...(spec.persistenceTimeout !== undefined ? { persistenceTimeout: spec.persistenceTimeout } : {}),
    ...(spec.persistenceGranularity !== undefined ? { persistenceGranularity: spec.persistenceGranularity } : {}),
  } as const;
  const t = spec.target;
  if (t.kind === 'address') return [{ ...base, kind: 'address', key, family: familyOf(t.address), address: t.address, port: t.port }];
  if (t.kind === 'fwmark') return [{ ...base, kind: 'fwmark', key, family: t.family ?? 4, fwmark: t.fwmark }];
  const out: ServiceTemplate[] = [];
  for (const entry of t.entries) {
    const expanded = expandGroupEntry(entry);
    if ('fwmark' in expanded) {
      out.push({ ...base, kind: 'fwmark', key: `${key}#FWM ${expanded.fwmark}`, family: t.family ?? 4, fwmark: expanded.fwmark });
    } else {
      for (const a of expanded) {
        out.push({ ...base, kind: 'address', key: `${key}#${hostPort(a.address, a.port)}`, family: familyOf(a.address), address: a.address, port: a.port });
      }
    }
  }
  return out;
}

export function resolveVirtualServer(spec: VirtualServerSpec, random: Random): ResolvedVirtualServer {
  const key = virtualServerKey(spec);
  const sorry = spec.sorryServer;
  const port = spec.target.kind === 'address' ? spec.target.port : 0;
  return {
    key,
    services: serviceTemplates(spec, key),
    quorum: spec.quorum ?? 1,
    hysteresis: spec.hysteresis ?? 0,
    ...(spec.quorumUp !== undefined ? { quorumUp: spec.quorumUp } : {}),
    ...(spec.quorumDown !== undefined ? { quorumDown: spec.quorumDown } : {}),
    ...(sorry !== undefined
      ? { sorryServer: { address: sorry.address, port: sorry.port ?? port, weight: sorry.weight ?? 1, forwarding: sorry.lbKind ?? spec.lbKind ?? 'NAT' } }
      : {}),
    sorryServerInhibit: spec.sorryServerInhibit ?? false,
    omega: spec.omega ?? false,
    haSuspend: spec.haSuspend ?? false,
    ...(spec.vrrpInstance !== undefined ? { vrrpInstance: spec.vrrpInstance } : {}),
    realServers: spec.realServers.map((rs) => resolveRealServer(spec, key, rs, random)),
  };
}
