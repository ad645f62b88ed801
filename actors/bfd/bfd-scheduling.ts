/**
 * keepalived's bfd_priority, bfd_rt_priority, bfd_rlimit_rttime, bfd_cpu_affinity and bfd_process_name, for the
 * thread the BFD sessions run on (the daemon's BFD worker, actors/daemon/bfd-worker.ts), as the vrrp_* ones are
 * for the VRRP thread. max_auto_priority applies to every thread, as keepalived applies it to each process.
 */
import type { GlobalDefs } from '../../config/model.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';

export function bfdScheduling(g: GlobalDefs): ThreadScheduling {
  return {
    nice: g.bfdPriority,
    realtimePriority: g.bfdRtPriority,
    rlimitRttimeUs: g.bfdRlimitRttime,
    cpus: g.bfdCpuAffinity,
    // bfd_process_name, else with process_names `vigil_bfd` (keepalived_bfd), as actors/daemon/process-names.ts.
    name: g.bfdProcessName ?? (g.processNames ? 'vigil_bfd' : undefined),
    maxAutoPriority: g.maxAutoPriority,
    minAutoPriorityDelayUs: g.minAutoPriorityDelay,
  };
}
