/**
 * The hop from a BFD session's change of state in the worker thread to the VRRP thread hearing of it (issue 15),
 * without namespaces or a peer: 2 x N sessions in the daemon's BFD worker (actors/daemon/worker-bfd-host.ts) on
 * the loopback link of the contract tests, each pair the other's neighbor at 20 ms x 3; once all are Up, one half
 * is removed and the other half's N sessions expire together, as when a peer dies. Each Down is timed from its
 * time in the worker (its `at`, shifted onto this thread's clock) to its arrival here, where NodeBfd would act on
 * it. The worker used to send changes at the end of its event-loop turn: the first of many expiring together
 * waited for the whole turn; they now cross at once (actors/daemon/bfd-forward.ts). Eight runs of each, alternated,
 * this thread with the daemon's VRRP-thread slice, at load average 13–20 (2 CPUs shared with other work): median
 * of the runs' p50 2.4 → 0.16 ms, of their p99 10.8 → 3.3 ms.
 *
 * VIGIL_BENCH_BFD_HOP_PAIRS sets N (default 50); VIGIL_BENCH_BFD_RT=P runs the worker thread realtime at P.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WorkerBfdHost } from '../actors/daemon/worker-bfd-host.js';
import { VRRP_SLICE_US } from '../actors/daemon/daemon.js';
import { applyThreadScheduling } from '../transport/real/thread-scheduling.js';
import { spec } from '../test/contract/bfd-host-contract.js';

const PAIRS = Number(process.env['VIGIL_BENCH_BFD_HOP_PAIRS'] ?? 50);
const RT = process.env['VIGIL_BENCH_BFD_RT'];

function percentile(xs: readonly number[], p: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const fmt = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(2));

async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() > end) return false;
    await delay(20);
  }
  return true;
}

export async function run(): Promise<void> {
  // This thread as the daemon's VRRP thread is: the shortest fair-scheduler slice (the worker resets its own).
  const warnings: string[] = [...applyThreadScheduling({ sliceUs: VRRP_SLICE_US })];
  const host = new WorkerBfdHost({
    scheduling: RT === undefined ? {} : { realtimePriority: Number(RT) },
    warn: (m) => warnings.push(m),
    linkModule: new URL('../test/contract/bfd-loopback-link.js', import.meta.url),
    minHangMs: 10_000,
  });
  const a = Array.from({ length: PAIRS }, (_, i) => spec(`a${i}`, `10.${i >> 8}.${i & 255}.1`, `10.${i >> 8}.${i & 255}.2`));
  const b = Array.from({ length: PAIRS }, (_, i) => spec(`b${i}`, `10.${i >> 8}.${i & 255}.2`, `10.${i >> 8}.${i & 255}.1`));
  const up = new Set<string>();
  const hops: number[] = [];
  let measuring = false;
  host.events$.subscribe((e) => {
    if (e.kind !== 'change') return;
    const c = e.change;
    if (c.to === 'Up') up.add(c.name);
    else up.delete(c.name);
    if (measuring && c.to === 'Down' && c.name.startsWith('a') && c.localDiag === 1) hops.push(performance.now() - c.at);
  });
  try {
    host.apply([...a, ...b], 1);
    const steady = await until(() => up.size === 2 * PAIRS, 60_000);
    await delay(1000);
    const before = up.size;
    measuring = true;
    host.apply(a, 2);
    await until(() => hops.length >= PAIRS, 10_000);
    const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`${PAIRS} sessions expiring together in the BFD worker${RT === undefined ? '' : ` (realtime ${RT})`}; load average ${load}.`);
    console.log(`hop worker Down -> VRRP thread p50/p99/max ${fmt(percentile(hops, 50))}/${fmt(percentile(hops, 99))}/${fmt(hops.length ? Math.max(...hops) : undefined)} ms over ${hops.length} Downs${steady ? '' : ` (${before} of ${2 * PAIRS} sessions Up at the start)`}${warnings.length ? `; ${warnings.join('; ')}` : ''}`);
  } finally {
    host.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
