/**
 * keepalived's max_auto_priority / min_auto_priority_delay (lib/process.c increment_process_priority): when a
 * thread's timer runs more than min_auto_priority_delay late, the thread goes realtime (SCHED_RR at the lowest
 * priority, with its rlimit_rttime) or, realtime already, one priority higher, never above max_auto_priority.
 * Nothing is done with max_auto_priority 0 (the default) or -1.
 */
import type { RealClock } from './real-clock.js';
import { applyThreadScheduling } from './thread-scheduling.js';

export interface AutoPrioritySettings {
  /** max_auto_priority: 0 or -1 is off. */
  readonly max?: number | undefined;
  /** min_auto_priority_delay in microseconds (keepalived's default: 1 s). */
  readonly minDelayUs?: number | undefined;
  /** The realtime priority the thread was given (vrrp_rt_priority, checker_rt_priority): raised from there. */
  readonly current?: number | undefined;
  /** RLIMIT_RTTIME for the thread when it becomes realtime (vrrp_rlimit_rttime, checker_rlimit_rttime). */
  readonly rlimitRttimeUs?: number | undefined;
}

export const DEFAULT_MIN_AUTO_PRIORITY_DELAY_US = 1_000_000;

/** The realtime priority after one more late timer, or undefined when it stays. */
export function nextAutoPriority(current: number, max: number): number | undefined {
  if (max <= 0 || current >= max) return undefined;
  return current === 0 ? 1 : current + 1;
}

/** Watches the calling thread's clock and raises its priority as keepalived does; `log` hears each raise. */
export function watchAutoPriority(clock: Pick<RealClock, 'watchLateness'>, settings: AutoPrioritySettings, log: (message: string) => void, apply = applyThreadScheduling): void {
  const max = settings.max ?? 0;
  if (max <= 0) return;
  let current = settings.current ?? 0;
  clock.watchLateness((settings.minDelayUs ?? DEFAULT_MIN_AUTO_PRIORITY_DELAY_US) / 1000, (lateMs) => {
    const next = nextAutoPriority(current, max);
    if (next === undefined) return;
    const failed = apply({ realtimePriority: next, rlimitRttimeUs: current === 0 ? settings.rlimitRttimeUs : undefined });
    const late = `a timer ran ${(lateMs / 1000).toFixed(3)} s late`;
    if (failed.length > 0) {
      log(`${late}; realtime priority ${next} refused: ${failed.join('; ')}`);
      // Not asked again (keepalived would try the next priority at each late timer; it would be refused too).
      current = max;
      return;
    }
    current = next;
    log(`${late}: realtime priority ${next} (max_auto_priority ${max})`);
  });
}
