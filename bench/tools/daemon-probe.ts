/**
 * A probe loaded into the vigil daemon under benchmark (`node --import <this file>`; the file it writes is
 * VIGIL_PROBE_FILE): what the VRRP thread did around each advertisement it sent, so that a late advertisement can
 * be put down to the host's run queue, a garbage collection or a long turn of our own.
 * Recorded (wall milliseconds, the system clock tcpdump stamps with):
 * - each send of a VRRPv3 advertisement: the main thread's CPU time and run-queue wait so far (/proc/thread-self/schedstat);
 * - each garbage collection's pause on the main thread (perf_hooks 'gc' entries);
 * - each batch of received packets handed to JS (RawIpSocket.startBatched): its length in time and in packets;
 * - the event loop's delay each second (monitorEventLoopDelay, 10 ms resolution: 100 more wakeups a second);
 * - at the first advertisement, how the kernel schedules the main thread (policy, nice, se.slice) after the daemon
 *   applied its scheduling (/proc/thread-self/sched).
 * Appended as JSON lines once a second. Bench only: the daemon never loads it by itself.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance, type PerformanceEntry } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface ProbeSend {
  readonly wall: number;
  readonly vrid: number;
  /** Main thread: CPU time and time spent waiting on a run queue, nanoseconds since it started. */
  readonly cpuNs: number;
  readonly waitNs: number;
}
export interface ProbeGc {
  readonly wall: number;
  readonly ms: number;
  /** perf_hooks' kind: 1 minor (scavenge), 2 major (mark-compact), 4 incremental, 8 weak callbacks. */
  readonly kind: number;
}
export interface ProbeBatch {
  readonly wall: number;
  readonly ms: number;
  readonly count: number;
}
/** perf_hooks monitorEventLoopDelay over one second: how late a 10 ms timer ran (run queue and long turns alike), ms. */
export interface ProbeLoopDelay {
  readonly wall: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}
/** The main thread's scheduling as /proc/thread-self/sched shows it (se.slice absent before Linux 6.6). */
export interface ProbeSched {
  readonly policy: number;
  readonly prio: number;
  readonly sliceNs?: number;
}
export interface ProbeLine {
  readonly sends: ProbeSend[];
  readonly gcs: ProbeGc[];
  readonly batches: ProbeBatch[];
  readonly loop?: ProbeLoopDelay;
  readonly sched?: ProbeSched;
}

interface SocketLike {
  send(bytes: Uint8Array, ...rest: unknown[]): unknown;
  startBatched(meta: Int32Array, onBatch: (data: Buffer, count: number) => void): unknown;
}
type SocketClass = new (...args: unknown[]) => SocketLike;

const wall = (): number => performance.timeOrigin + performance.now();

function schedstat(): [number, number] {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return [Number(cpu), Number(wait)];
  } catch {
    return [Number.NaN, Number.NaN];
  }
}

function threadSched(): ProbeSched | undefined {
  try {
    const text = readFileSync('/proc/thread-self/sched', 'utf8');
    const field = (name: string): number | undefined => {
      const m = new RegExp(`^${name.replace('.', '\\.')}\\s*:\\s*(-?\\d+)`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const sliceNs = field('se.slice');
    return { policy: field('policy') ?? Number.NaN, prio: field('prio') ?? Number.NaN, ...(sliceNs !== undefined ? { sliceNs } : {}) };
  } catch {
    return undefined;
  }
}

const file = process.env['VIGIL_PROBE_FILE'];
if (file !== undefined && file !== '') {
  let line: ProbeLine = { sends: [], gcs: [], batches: [] };
  let sched: ProbeSched | undefined;
  const root = resolve(fileURLToPath(import.meta.url), '../../../..');
  // The path the daemon's native/index.ts loads (VIGIL_NATIVE_ADDON, set by the benchmark): require's cache gives
  // both the one module object.
  const addon = process.env['VIGIL_NATIVE_ADDON'] || join(root, 'native/build/Release/vigil_native.node');
  const binding = createRequire(import.meta.url)(addon) as { RawIpSocket: SocketClass };
  // The addon's methods are read-only: the class is replaced by a subclass (native/index.ts looks it up at each open).
  binding.RawIpSocket = class extends binding.RawIpSocket {
    override send(bytes: Uint8Array, ...rest: unknown[]): unknown {
      const result = super.send(bytes, ...rest);
      // A VRRPv3 advertisement (version 3, type 1) as sent: the VRRP message, no IP header.
      if (bytes[0] === 0x31) {
        const [cpuNs, waitNs] = schedstat();
        line.sends.push({ wall: wall(), vrid: bytes[1]!, cpuNs, waitNs });
        if (sched === undefined) {
          sched = threadSched();
          if (sched !== undefined) line = { ...line, sched };
        }
      }
      return result;
    }
    override startBatched(meta: Int32Array, onBatch: (data: Buffer, count: number) => void): unknown {
      return super.startBatched(meta, (data, count) => {
        const t0 = performance.now();
        try {
          onBatch(data, count);
        } finally {
          line.batches.push({ wall: performance.timeOrigin + t0, ms: performance.now() - t0, count });
        }
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      line.gcs.push({ wall: performance.timeOrigin + e.startTime, ms: e.duration, kind: e.detail?.kind ?? 0 });
    }
  }).observe({ entryTypes: ['gc'] });
  const RESOLUTION_MS = 10;
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  setInterval(() => {
    // The histogram holds the time between the sampling timer's runs: its delay is what exceeds the resolution.
    const ms = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const loop = { wall: wall(), p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max) };
    delay.reset();
    appendFileSync(file, `${JSON.stringify({ ...line, loop })}\n`);
    line = { sends: [], gcs: [], batches: [] };
  }, 1000).unref();
}
