/**
 * TCP_CHECK through the native connector (native/src/tcp_connector.cc): one non-blocking connect per probe, no
 * Node socket, outcomes delivered in batches (one JS call per loop turn however many connects complete). One
 * engine per thread, opened on first use.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { getSystemErrorName } from 'node:util';
import { nativeAvailable, openTcpConnector, TCP_CONNECT_PENDING, TCP_CONNECT_TIMED_OUT, type TcpConnector } from '../../native/index.js';
import type { ProbeResult, TcpProbeSpec } from './prober.js';
import { describeError } from './outcome.js';

type Done = (result: ProbeResult) => void;

interface PendingConnect {
  readonly spec: TcpProbeSpec;
  readonly started: number;
  readonly done: Done;
}

/** Outcomes handed over per call (pairs of id and code). */
const BATCH = 1024;

export class NativeTcpEngine {
  private readonly results = new Int32Array(BATCH * 2);
  private readonly connector: TcpConnector;
  private readonly pending = new Map<number, PendingConnect>();
  private nextId = 0;

  constructor() {
    this.connector = openTcpConnector(this.results, (count) => this.settle(count));
  }

  /** Whether this engine can probe the spec's target: IP literals only (no names, no `%scope`). */
  static takes(spec: TcpProbeSpec): boolean {
    const { host, bindto } = spec.target;
    const family = isIPv4(host) ? 4 : isIPv6(host) && !host.includes('%') ? 6 : 0;
    if (family === 0) return false;
    return bindto === undefined || (family === 4 ? isIPv4(bindto) : isIPv6(bindto) && !bindto.includes('%'));
  }

  /** Starts the probe; `done` runs once, from a later event-loop callback (never synchronously). */
  probe(spec: TcpProbeSpec, done: Done): void {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) | 0;
    const started = performance.now();
    const { target } = spec;
    let code: number;
    try {
      code = this.connector.connect(id, isIPv4(target.host) ? 4 : 6, target.host, target.port, spec.timeoutMs, target.bindto, target.bindPort);
    } catch (err) {
      // The prober contract: never throw, fail the probe.
      queueMicrotask(() => done({ ok: false, detail: describeError(err), latencyMs: 0 }));
      return;
    }
    if (code === TCP_CONNECT_PENDING) {
      this.pending.set(id, { spec, started, done });
      return;
    }
    // Known at once (a refused bind, an unreachable network): still answer asynchronously, as a socket would.
    queueMicrotask(() => done(outcome(spec, code, performance.now() - started)));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  close(): void {
    this.connector.close();
    this.pending.clear();
  }

  private settle(count: number): void {
    const now = performance.now();
    const results = this.results;
    for (let i = 0; i < count; i++) {
      const id = results[2 * i]!;
      const entry = this.pending.get(id);
      if (entry === undefined) continue;
      this.pending.delete(id);
      entry.done(outcome(entry.spec, results[2 * i + 1]!, now - entry.started));
    }
  }
}

function outcome(spec: TcpProbeSpec, code: number, latencyMs: number): ProbeResult {
  if (code === 0) return { ok: true, detail: 'connected', latencyMs };
  if (code === TCP_CONNECT_TIMED_OUT) return { ok: false, detail: 'connect timeout', latencyMs };
  // The same words as Node's socket errors: "connect ECONNREFUSED 127.0.0.1:80".
  const { host, port } = spec.target;
  return { ok: false, detail: `connect ${getSystemErrorName(-code)} ${isIPv6(host) ? `[${host}]` : host}:${port}`, latencyMs };
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
