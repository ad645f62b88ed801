/**
 * The prober contract: one health probe of one kind, resolved to what goes on the wire. Probers keep no state
 * between probes (the checker machine does the counting), enforce `timeoutMs` themselves and never throw: every
 * failure is a result with `ok: false` and a one-line `detail`.
 *
 * Specs are plain data (strings, numbers, Uint8Array) so that they cross to the checker worker with msgpackr.
 */
import type { ProbeWeight } from '../machines/checker-logic.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** Source address (`bindto`) and port (`bind_port`). */
  readonly bindto?: string;
  readonly bindPort?: number;
  /** keepalived `bind_if`: the socket is bound to this interface (SO_BINDTODEVICE). */
  readonly device?: string;
  /** keepalived `fwmark`: the checker's packets carry this mark (SO_MARK). */
  readonly mark?: number;
}

export interface TcpProbeSpec {
  readonly kind: 'tcp';
  readonly target: Endpoint;
  readonly timeoutMs: number;
}

export interface HttpUrlProbe {
  readonly path: string;
  /** Lower-case hex MD5 of the body, if checked. */
  readonly digest?: string;
  /** Inclusive ranges of acceptable status codes. */
  readonly statusCodes: readonly (readonly [number, number])[];
  /** The Host header's value. */
  readonly host: string;
  /** keepalived `regex` (run as a JavaScript RegExp over the body), and `regex_no_match` to invert it. */
  readonly regex?: string;
  readonly regexNoMatch?: boolean;
  /** JavaScript flags from `regex_options` (protocol/http-body-regex.ts regexFlags). */
  readonly regexFlags?: string;
  /** `regex_min_offset`: the byte of the body the search starts at. */
  readonly regexMinOffset?: number;
  /** `regex_max_offset`: the last byte of the body a match may start at. */
  readonly regexMaxOffset?: number;
  /** `regex_options firstline`: the match must start before or at the first newline of the searched body. */
  readonly regexFirstLine?: boolean;
}

export interface HttpProbeSpec {
  readonly kind: 'http';
  /** SSL_GET. */
  readonly tls: boolean;
  readonly target: Endpoint;
  readonly timeoutMs: number;
  readonly urls: readonly HttpUrlProbe[];
  readonly httpProtocol: '1.0' | '1.0C' | '1.1';
  /** SNI server name (SSL_GET enable_sni). */
  readonly servername?: string;
  /** keepalived's global `SSL { ca, certificate, key, password }`: files for a client certificate. */
  readonly tlsFiles?: { readonly ca?: string; readonly certificate?: string; readonly key?: string; readonly password?: string };
}

export interface MiscProbeSpec {
  readonly kind: 'misc';
  readonly argv: readonly string[];
  readonly timeoutMs: number;
  readonly dynamic: boolean;
  /** `user USERNAME [GROUPNAME]` (names or numbers). */
  readonly user?: string;
  readonly group?: string;
}

export interface SmtpProbeSpec {
  readonly kind: 'smtp';
  readonly target: Endpoint;
  readonly timeoutMs: number;
  readonly heloName: string;
}

export interface DnsProbeSpec {
  readonly kind: 'dns';
  readonly target: Endpoint;
  readonly timeoutMs: number;
  /** Query name ("." or "" for the root). */
  readonly name: string;
  /** Query type number (SOA = 6, A = 1, …). */
  readonly type: number;
}

export interface UdpProbeSpec {
  readonly kind: 'udp';
  readonly target: Endpoint;
  readonly timeoutMs: number;
  readonly payload: Uint8Array;
  readonly requireReply: boolean;
  /** Expected reply prefix; a set mask bit means "ignore this bit". */
  readonly replyData?: Uint8Array;
  readonly replyMask?: Uint8Array;
  readonly minReplyLength: number;
  readonly maxReplyLength: number;
}

export interface PingProbeSpec {
  readonly kind: 'ping';
  readonly target: Endpoint;
  readonly timeoutMs: number;
}

export interface FileProbeSpec {
  readonly kind: 'file';
  readonly path: string;
  /** 0: any non-zero value is a failure. Otherwise value × weight (negated with reverse) is a weight delta. */
  readonly weight: number;
  readonly reverse: boolean;
}

export type ProbeSpec =
  | TcpProbeSpec
  | HttpProbeSpec
  | MiscProbeSpec
  | SmtpProbeSpec
  | DnsProbeSpec
  | UdpProbeSpec
  | PingProbeSpec
  | FileProbeSpec;

export type ProbeKind = ProbeSpec['kind'];

export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly latencyMs: number;
  readonly weight?: ProbeWeight;
}

export interface Prober {
  probe(spec: ProbeSpec): Promise<ProbeResult>;
  /** Releases shared resources (ICMP sockets, agents). */
  close(): void;
}

/**
 * A prober that can answer through a callback run on the injected clock. The simulator needs it: a Promise
 * settles in a microtask, after the virtual clock has already run on, so its result would arrive late.
 */
export interface CallbackProber extends Prober {
  /**
   * Starts the probe. Returns true when the prober keeps the spec's timeout itself (an answer, a timeout included,
   * comes by then without fail), so the caller need not race it with a timer of its own.
   */
  probeWith(spec: ProbeSpec, done: (result: ProbeResult) => void): boolean;
}

export function isCallbackProber(prober: Prober): prober is CallbackProber {
  return typeof (prober as Partial<CallbackProber>).probeWith === 'function';
}
