/**
 * TCP_CHECK through the native connector (native/src/tcp_connector.cc): one non-blocking connect per probe, no
 * Node socket, outcomes delivered in batches (one JS call per loop turn however many connects complete). One
 * engine per thread, opened on first use.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { getSystemErrorName } from 'node:util';
import { nativeAvailable, openTcpConnector, TCP_CONNECT_PENDING, TCP_CONNECT_TIMED_OUT, type TcpConnector } from '../../../native/index.js';
import type { ProbeResult, TcpProbeSpec } from '../../prober.js';

type Done = (result: ProbeResult) => void;

/** An outcome code (0, an errno, TCP_CONNECT_TIMED_OUT) and, for an answered exchange, the bytes received. */
export type ExchangeDone = (code: number, answer: Buffer | undefined) => void;

/** Outcomes handed over per call (pairs of id and code). */
const BATCH = 1024;

export class NativeTcpEngine {
  private readonly results = new Int32Array(BATCH * 2);
  private readonly connector: TcpConnector;
  private readonly pending = new Map<number, ExchangeDone>();
  private nextId = 0;

  constructor() {
    this.connector = openTcpConnector(this.results, (count, answers) => this.settle(count, answers));
  }

  /** Whether this engine can probe the spec's target: IP literals only (no names, no `%scope`). */
  static takes(spec: Pick<TcpProbeSpec, 'target'>): boolean {
    const { host, bindto } = spec.target;
    // bind_if / fwmark: on a socket of Node's made with them (checker-socket.ts).
    if (spec.target.device !== undefined || spec.target.mark !== undefined) return false;
    if (!isIPv4(host) && !(isIPv6(host) && !host.includes('%'))) return false;
    const family = familyOf(host);
    return bindto === undefined || (family === 4 ? isIPv4(bindto) : isIPv6(bindto) && !bindto.includes('%'));
  }

  /** Starts the probe; `done` runs once, from a later event-loop callback (never synchronously). */
  probe(spec: TcpProbeSpec, done: Done): void {
    const started = performance.now();
    const { target } = spec;
    this.start(
      (id) => this.connector.connect(id, familyOf(target.host), target.host, target.port, spec.timeoutMs, target.bindto, target.bindPort),
      (code) => done(outcome(target, code, performance.now() - started)),
    );
  }

  /**
   * HTTP_GET's round trip: connect to `target`, write `request`, read the answer (up to `maxBytes`), all within
   * `timeoutMs`. `done` runs once, never synchronously; a call that throws answers EINVAL.
   */
  exchange(target: TcpProbeSpec['target'], timeoutMs: number, request: Buffer, maxBytes: number, done: ExchangeDone): void {
    this.start(
      (id) => this.connector.exchange(id, familyOf(target.host), target.host, target.port, timeoutMs, request, maxBytes, target.bindto, target.bindPort),
      done,
    );
  }

  get inFlight(): number {
    return this.pending.size;
  }

  close(): void {
    this.connector.close();
    this.pending.clear();
  }

  private start(call: (id: number) => number, settle: ExchangeDone): void {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) | 0;
    let code: number;
    try {
      code = call(id);
    } catch {
      // The prober contract: never throw, fail the probe (the connector refused its arguments).
      code = constants.errno.EINVAL;
    }
    if (code === TCP_CONNECT_PENDING) {
      this.pending.set(id, settle);
      return;
    }
    // Known at once (a local target's handshake, a refused bind): still answered asynchronously, as a socket would.
    queueMicrotask(() => settle(code, undefined));
  }

  private settle(count: number, answers: readonly (Buffer | null | undefined)[] | null): void {
    const results = this.results;
    for (let i = 0; i < count; i++) {
      const id = results[2 * i]!;
      const settle = this.pending.get(id);
      if (settle === undefined) continue;
      this.pending.delete(id);
      settle(results[2 * i + 1]!, answers?.[i] ?? undefined);
    }
  }
}

/** The connector's address family for an IP literal the engine takes. */
function familyOf(host: string): 4 | 6 {
  return isIPv4(host) ? 4 : 6;
}

/** A connect's outcome code in the words of Node's socket errors: "connect ECONNREFUSED 127.0.0.1:80". */
export function describeConnectCode(target: TcpProbeSpec['target'], code: number): string {
  if (code === TCP_CONNECT_TIMED_OUT) return 'connect timeout';
  const { host, port } = target;
  return `connect ${getSystemErrorName(-code)} ${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

function outcome(target: TcpProbeSpec['target'], code: number, latencyMs: number): ProbeResult {
  if (code === 0) return { ok: true, detail: 'connected', latencyMs };
  return { ok: false, detail: describeConnectCode(target, code), latencyMs };
}

let engine: NativeTcpEngine | null | undefined;

/**
 * This thread's engine, or undefined when the addon is not built (or VIGIL_NATIVE_TCP=0 asks for Node's sockets,
 * e.g. to compare the two).
 */
export function nativeTcpEngine(): NativeTcpEngine | undefined {
  if (engine === undefined) {
    engine = null;
    if (process.env['VIGIL_NATIVE_TCP'] !== '0' && nativeAvailable()) {
      try {
        engine = new NativeTcpEngine();
      } catch {
        // An addon built before the connector existed: Node's sockets do the probes.
      }
    }
  }
  return engine ?? undefined;
}
