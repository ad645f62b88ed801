/**
 * What bench/tools/daemon-probe.ts recorded in a daemon during a flood, summed up: the advertisement period as the
 * daemon sent it, the garbage collections and received batches of the window, and each late period put down to
 * what took its time (the run queue, a collection, a long batch, or none of these).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../test/daemon/daemons.js';
import type { ProbeBatch, ProbeGc, ProbeLine, ProbeLoopDelay, ProbeSched, ProbeSend } from './daemon-probe.js';

export const PROBE_MODULE = join(ROOT, 'dist/bench/tools/daemon-probe.js');
/** The addon the probed daemon loads (VIGIL_NATIVE_ADDON), whichever checkout it runs from: the one the probe patches. */
export const PROBE_ADDON = join(ROOT, 'native/build/Release/vigil_native.node');

export interface Probe {
  readonly sends: ProbeSend[];
  readonly gcs: ProbeGc[];
  readonly batches: ProbeBatch[];
  readonly loops: ProbeLoopDelay[];
  sched?: ProbeSched;
}

export function readProbe(file: string): Probe {
  const probe: Probe = { sends: [], gcs: [], batches: [], loops: [] };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return probe;
  }
  for (const l of text.split('\n')) {
    if (l === '') continue;
    const line = JSON.parse(l) as ProbeLine;
    probe.sends.push(...line.sends);
    probe.gcs.push(...line.gcs);
    probe.batches.push(...line.batches);
    if (line.loop !== undefined) probe.loops.push(line.loop);
    if (line.sched !== undefined) probe.sched ??= line.sched;
  }
  return probe;
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

const f = (x: number): string => x.toFixed(2);
const overlap = (a0: number, a1: number, b0: number, b1: number): number => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** Cause of one period `late` ms longer than `intervalMs`, ending with `send` after `prev`. */
export type Cause = 'run queue' | 'gc' | 'long batch' | 'other';

export interface LatePeriod {
  readonly lateMs: number;
  readonly waitMs: number;
  readonly gcMs: number;
  readonly batchMs: number;
  readonly cause: Cause;
}

/**
 * A period is put down to what covers at least half of its lateness: the main thread's run-queue wait over the
 * period, the GC pauses that overlap it, or its longest batch; checked in that order.
 */
export function latePeriods(probe: Probe, t0: number, t1: number, vrid: number, intervalMs: number, thresholdMs = 2): LatePeriod[] {
  const sends = probe.sends.filter((s) => s.vrid === vrid && s.wall >= t0 && s.wall <= t1);
  const out: LatePeriod[] = [];
  for (let i = 1; i < sends.length; i++) {
    const [a, b] = [sends[i - 1]!, sends[i]!];
    const lateMs = b.wall - a.wall - intervalMs;
    if (Math.abs(lateMs) <= thresholdMs) continue;
    const waitMs = (b.waitNs - a.waitNs) / 1e6;
    const gcMs = probe.gcs.reduce((sum, g) => sum + overlap(a.wall, b.wall, g.wall, g.wall + g.ms), 0);
    const batchMs = Math.max(0, ...probe.batches.filter((x) => x.wall >= a.wall && x.wall <= b.wall).map((x) => x.ms));
    const half = Math.abs(lateMs) / 2;
    const cause: Cause = waitMs >= half ? 'run queue' : gcMs >= half ? 'gc' : batchMs >= half ? 'long batch' : 'other';
    out.push({ lateMs, waitMs, gcMs, batchMs, cause });
  }
  return out;
}

export function probeReport(probe: Probe, t0: number, t1: number, vrid: number, intervalMs: number): string[] {
  const sends = probe.sends.filter((s) => s.vrid === vrid && s.wall >= t0 && s.wall <= t1);
  const errors = sends.slice(1).map((s, i) => Math.abs(s.wall - sends[i]!.wall - intervalMs));
  const gcs = probe.gcs.filter((g) => g.wall >= t0 && g.wall <= t1);
  const minor = gcs.filter((g) => g.kind === 1).map((g) => g.ms);
  const major = gcs.filter((g) => g.kind === 2).map((g) => g.ms);
  const batches = probe.batches.filter((b) => b.wall >= t0 && b.wall <= t1);
  const batchMs = batches.map((b) => b.ms);
  const packets = batches.reduce((sum, b) => sum + b.count, 0);
  const first = sends[0];
  const last = sends.at(-1);
  const seconds = (t1 - t0) / 1000;
  const waitShare = first && last ? (last.waitNs - first.waitNs) / 1e6 / (last.wall - first.wall) : Number.NaN;
  const cpuShare = first && last ? (last.cpuNs - first.cpuNs) / 1e6 / (last.wall - first.wall) : Number.NaN;
  const late = latePeriods(probe, t0, t1, vrid, intervalMs);
  // Each second's figures, read at its end: the seconds that ended within the flood.
  const loops = probe.loops.filter((l) => l.wall > t0 + 1000 && l.wall <= t1);
  const causes = (['run queue', 'gc', 'long batch', 'other'] as const).map((c) => {
    const of = late.filter((l) => l.cause === c);
    return `${c} ${of.length}${of.length ? ` (late ${f(percentile(of.map((l) => Math.abs(l.lateMs)), 50))}/${f(Math.max(...of.map((l) => Math.abs(l.lateMs))))} ms p50/max)` : ''}`;
  });
  const pauses = (xs: number[]): string => (xs.length ? `${xs.length} (p50 ${f(percentile(xs, 50))}, p99 ${f(percentile(xs, 99))}, max ${f(Math.max(...xs))} ms, total ${f(xs.reduce((a, b) => a + b, 0))} ms)` : '0');
  const sched = probe.sched;
  const policy = sched === undefined ? 'not read' : sched.policy === 0 ? `SCHED_OTHER nice ${sched.prio - 120}` : `policy ${sched.policy} prio ${sched.prio}`;
  const slice = sched?.sliceNs === undefined ? '' : `, se.slice ${f(sched.sliceNs / 1e6)} ms`;
  return [
    `probe: main thread scheduled ${policy}${slice} (/proc/thread-self/sched at the first advertisement)`,
    `probe: period error as the daemon sent, over ${errors.length} periods: p50 ${f(percentile(errors, 50))} ms, p99 ${f(percentile(errors, 99))} ms, max ${f(Math.max(...errors))} ms`,
    `probe: main thread ${f(cpuShare * 100)}% on a CPU, ${f(waitShare * 100)}% waiting on a run queue; GC scavenges ${pauses(minor)}, mark-compacts ${pauses(major)}, other ${gcs.length - minor.length - major.length}`,
    `probe: ${batches.length} batches (${(batches.length / seconds).toFixed(0)}/s, ${(packets / Math.max(1, batches.length)).toFixed(1)} packets each), JS time per batch p50 ${f(percentile(batchMs, 50))}, p99 ${f(percentile(batchMs, 99))}, max ${f(Math.max(0, ...batchMs))} ms`,
    `probe: event loop delay (10 ms timer) per second, median over ${loops.length} s: p50 ${f(percentile(loops.map((l) => l.p50Ms), 50))}, p99 ${f(percentile(loops.map((l) => l.p99Ms), 50))} ms; worst second's max ${f(Math.max(0, ...loops.map((l) => l.maxMs)))} ms`,
    `probe: ${late.length} periods off by more than 2 ms, put down to: ${causes.join(', ')}`,
  ];
}
