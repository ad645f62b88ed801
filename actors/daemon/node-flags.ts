/**
 * The Node flags the VRRP process runs with for its configuration. vigil started without them runs itself again,
 * same pid, with them (actors/daemon/process-control.ts), as it does for net_namespace: V8 reads them at start only
 * (v8.setFlagsFromString('--single-threaded-gc') at run time crashes Node 20 in cppgc).
 *
 * `--single-threaded-gc` with `vrrp_rt_priority`: under SCHED_RR the VRRP thread's scavenges wait for V8's helper
 * threads, which stay in the fair class behind everything else on a loaded host. Flood benchmark (issue 13;
 * bench/vrrp-flood.ts, 20,000 bad packets/s, two pinned busy loops, load average 17–24, three pairs of runs): longest
 * scavenge 17–27 ms with the helpers, 2–3 ms without; advertisement period error p99 0.62–0.86 ms with them,
 * 0.31–0.51 ms without; the late periods put down to a collection, with them, up to 8.5 ms.
 * Without vrrp_rt_priority the helpers run in the fair class as the VRRP thread does, and nothing is changed.
 */
import type { GlobalDefs } from '../../config/model.js';

export const SINGLE_THREADED_GC = '--single-threaded-gc';

/** The Node flags this configuration wants vigil to run with. */
export function nodeFlagsFor(g: Pick<GlobalDefs, 'vrrpRtPriority'>): readonly string[] {
  return g.vrrpRtPriority !== undefined && g.vrrpRtPriority > 0 ? [SINGLE_THREADED_GC] : [];
}

/** Those of `wanted` that the process was not started with (`execArgv`: Node's own flags, not the script's). */
export function missingNodeFlags(wanted: readonly string[], execArgv: readonly string[] = process.execArgv): string[] {
  return wanted.filter((flag) => !execArgv.includes(flag));
}
