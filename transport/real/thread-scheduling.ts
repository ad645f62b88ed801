/** ThreadScheduling on Linux: setpriority for the nice value (thread-wide on Linux), the addon for SCHED_RR. */
import { setPriority } from 'node:os';
import { setRealtimePriority, setRlimitRttime } from '../../native/index.js';
import type { ThreadScheduling } from '../thread-scheduling.js';

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
  if (settings.realtimePriority !== undefined) {
    try {
      // The limit first: a realtime thread must never run unbounded without it when one is configured.
      if (settings.rlimitRttimeUs !== undefined) setRlimitRttime(settings.rlimitRttimeUs);
      setRealtimePriority(settings.realtimePriority);
    } catch (err) {
      failed.push(`realtime priority ${settings.realtimePriority}: ${reason(err)}`);
    }
  }
  return failed;
}
