/**
 * ThreadScheduling on Linux: setpriority for the nice value (per thread on Linux), the addon for SCHED_RR, for
 * the fair scheduler's slice, for the CPU affinity and the name of the thread.
 */
import { readdirSync } from 'node:fs';
import { cpus, getPriority, setPriority } from 'node:os';
import { setFairSlice, setRealtimePriority, setRlimitRttime, setThreadAffinity, setThreadName } from '../../native/index.js';
import type { ThreadScheduling } from '../thread-scheduling.js';

/** sched_setattr's answers on a kernel without it (ENOSYS) or refusing its sched_runtime for the fair class. */
const SLICE_UNSUPPORTED = new Set(['ENOSYS', 'EINVAL']);

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function applyThreadScheduling(settings: ThreadScheduling): readonly string[] {
  const failed: string[] = [];
  if (settings.nice !== undefined) {
    try {
      setPriority(0, settings.nice); // who = 0: the calling thread (Linux setpriority is per thread)
    } catch (err) {
      failed.push(`nice ${settings.nice}: ${reason(err)}`);
    }
  }
  let realtime = false;
  if (settings.realtimePriority !== undefined) {
    try {
      // The limit first: a realtime thread must never run unbounded without it when one is configured.
      if (settings.rlimitRttimeUs !== undefined) setRlimitRttime(settings.rlimitRttimeUs);
      setRealtimePriority(settings.realtimePriority);
      realtime = settings.realtimePriority > 0;
    } catch (err) {
      failed.push(`realtime priority ${settings.realtimePriority}: ${reason(err)}`);
    }
  }
  // The slice is for the fair scheduler only: realtime supersedes it (and setting it would leave SCHED_RR), but a
  // thread refused realtime (no CAP_SYS_NICE) still gets it.
  if (settings.sliceUs !== undefined && !realtime) {
    try {
      setFairSlice(settings.sliceUs);
    } catch (err) {
      // A latency wish, never configured: a kernel without sched_setattr or refusing the request leaves the default
      // slice, which is no failure to report (kernels before 6.12 accept sched_runtime and ignore it).
      if (!SLICE_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) failed.push(`time slice ${settings.sliceUs} µs: ${reason(err)}`);
    }
  }
  if (settings.cpus !== undefined && settings.cpus.length > 0) {
    // keepalived refuses a cpu_id past the CPUs online (its configuration is read where it runs); here it is said.
    const online = cpus().length;
    const missing = settings.cpus.filter((cpu) => cpu >= online);
    if (missing.length > 0) failed.push(`CPU affinity: CPU ${missing.join(', ')} not among the ${online} CPUs here`);
    try {
      setThreadAffinity(settings.cpus);
    } catch (err) {
      failed.push(`CPU affinity ${settings.cpus.join(' ')}: ${reason(err)}`);
    }
  }
  if (settings.name !== undefined) {
    try {
      setThreadName(settings.name);
    } catch (err) {
      failed.push(`thread name ${settings.name}: ${reason(err)}`);
    }
  }
  return failed;
}

/**
 * The threads Node starts before any JavaScript runs: its platform's delayed-task thread, V8's worker threads
 * (`--v8-pool-size`, default 4) and the inspector's signal thread. They come right after the main thread, so they
 * hold the lowest thread ids after it; libuv's pool (files, DNS) and worker threads are started later.
 */
export function nodePlatformThreads(): number[] {
  const option = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)]
    .map((arg) => /^--v8-pool-size=(\d+)$/.exec(arg)?.[1])
    .find((value) => value !== undefined);
  const workers = option !== undefined && Number(option) > 0 ? Number(option) : 4;
  const tids = readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => tid !== process.pid)
    .sort((a, b) => a - b);
  return tids.slice(0, workers + 2);
}

/** The nice value Node's platform threads get beside the checker worker (the lowest priority there is). */
export const PLATFORM_THREAD_NICE = 19;

/**
 * Node's platform threads (nodePlatformThreads) to nice 19, never to a lower one. They run the garbage collection
 * of every isolate of the process, the checker worker's included, in stretches of milliseconds; at nice 0 the
 * kernel lets such a stretch finish before the VRRP thread that woke on the same CPU may run (bench, 5,000 checks/s:
 * advertisement period error p99 3.0 ms at nice 0, 0.35 ms at nice 19, medians of 4 and 7 runs). A nice value, not
 * SCHED_IDLE: a thread that the VRRP thread's own garbage collection waits for must still get CPU on a saturated
 * machine.
 * Returns one line per thread that could not be changed.
 */
export function deprioritizeNodePlatformThreads(): readonly string[] {
  let tids: number[];
  try {
    tids = nodePlatformThreads();
  } catch (err) {
    return [`threads not listed: ${reason(err)}`];
  }
  const failed: string[] = [];
  for (const tid of tids) {
    try {
      if (getPriority(tid) < PLATFORM_THREAD_NICE) setPriority(tid, PLATFORM_THREAD_NICE);
    } catch (err) {
      // A thread that ended meanwhile is no failure.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') failed.push(`thread ${tid}: ${reason(err)}`);
    }
  }
  return failed;
}
