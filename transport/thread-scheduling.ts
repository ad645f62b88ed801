/**
 * How a thread is scheduled: keepalived's `vrrp_priority` / `vrrp_rt_priority` / `vrrp_rlimit_rttime` for the VRRP
 * thread and the `checker_*` equivalents for the checker worker. A VRRP thread made to wait for a CPU by the
 * checkers sends its advertisements late; a realtime VRRP thread does not wait.
 */
export interface ThreadScheduling {
  /** Nice value, -20..19. */
  readonly nice?: number | undefined;
  /** SCHED_RR priority 1..99 (not inherited by threads and processes started afterwards). */
  readonly realtimePriority?: number | undefined;
  /** RLIMIT_RTTIME in microseconds: CPU a realtime thread may use without blocking. */
  readonly rlimitRttimeUs?: number | undefined;
  /**
   * The thread's own time slice under the fair scheduler, in microseconds (not realtime threads): a short one lets
   * the thread preempt a busier one as soon as it wakes, rather than after that one's slice (Linux 6.12+).
   */
  readonly sliceUs?: number | undefined;
  /** The CPUs the thread may run on (vrrp_cpu_affinity, checker_cpu_affinity); absent or empty: any. */
  readonly cpus?: readonly number[] | undefined;
  /** The thread's name as ps and /proc/PID/task/TID/comm show it (vrrp_process_name, checker_process_name). */
  readonly name?: string | undefined;
}

/** Applies settings to the calling thread; returns one line per setting that could not be applied. */
export type ApplyThreadScheduling = (settings: ThreadScheduling) => readonly string[];
