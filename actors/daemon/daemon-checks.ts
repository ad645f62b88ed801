/**
 * The daemon's part of the checker side: only when the configuration has virtual servers, load the checker
 * modules (start-up time: nothing of theirs is needed before the first advertisement) and the host's checker
 * transports (a worker thread scheduled as checker_priority says, the kernel load balancer), and build the node's
 * checker side on them (actors/lvs/node-checks.ts; the node assembly attaches it).
 */
import { checkerThreadName } from './process-names.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';
import type { LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import type { NodeChecks } from '../lvs/node-checks.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { DaemonEnvironment } from '../environment.js';
import type { BuildSlice } from '../lvs/health-checks.js';

/**
 * The checker side is built on the VRRP thread a slice per turn: at most this many checkers, or this many
 * milliseconds, then whatever is due (an advertisement) runs. 2,000 checkers built at once held the thread for
 * 1.5–9 s on a busy 2-core host, far past an advert interval (bench/liveness-stall.ts measures a slice).
 */
export const CHECKER_BUILD_SLICE: BuildSlice = { checkers: 64, ms: 4 };

/**
 * Undefined when there is nothing to check (no virtual server, no lvs_sync_daemon), or nothing to check with
 * (said in the log). `reload`: a reload's checker side (keepalived's lvs_flush happens at start only).
 */
export async function loadChecks(
  env: DaemonEnvironment,
  config: KeepalivedConfig,
  scriptTimeoutMs: number | undefined,
  reload = false,
  previous?: KeepalivedConfig,
): Promise<NodeChecks | undefined> {
  if (config.virtualServers.length === 0 && config.globalDefs.lvsSyncDaemon === undefined) return undefined;
  const [{ NodeChecks }, { resolveVirtualServers }] = await Promise.all([import('../lvs/node-checks.js'), import('../checks/resolve-checkers.js')]);
  const checks = await env.checks?.();
  if (!checks) {
    env.log.warn(`${resolveVirtualServers(config).length} virtual server(s) configured, but no checker support on this host`);
    return undefined;
  }
  let selection: { backend: LoadBalancerBackend; statement: string };
  try {
    selection = await checks.backend(config.globalDefs.lvsBackend ?? 'auto');
  } catch (err) {
    env.log.error(`no load balancer: ${err instanceof Error ? err.message : String(err)}; virtual servers are not programmed`);
    return undefined;
  }
  env.log.info(selection.statement);
  return new NodeChecks(env, config, { host: checks.host(checkerScheduling(config)), backend: selection.backend, nft: checks.nft?.() }, scriptTimeoutMs, { reload, previous, buildSlice: CHECKER_BUILD_SLICE });
}

/**
 * keepalived's checker_priority, checker_rt_priority, checker_rlimit_rttime, checker_cpu_affinity and
 * checker_process_name, for the checker worker thread.
 */
function checkerScheduling(config: KeepalivedConfig): ThreadScheduling {
  const g = config.globalDefs;
  return {
    nice: g.checkerPriority,
    realtimePriority: g.checkerRtPriority,
    rlimitRttimeUs: g.checkerRlimitRttime,
    cpus: g.checkerCpuAffinity,
    name: checkerThreadName(g),
    maxAutoPriority: g.maxAutoPriority,
    minAutoPriorityDelayUs: g.minAutoPriorityDelay,
  };
}
