/**
 * A checker world on the virtual clock for tests: simulated real servers (SimulatedProber), checkers in-process,
 * virtual servers, and the simulated load-balancer backend whose history carries exact virtual times.
 */
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber, type SimFault, type SimServerState } from '../../sim/simulated-prober.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { HealthChecks, type HealthEvent } from '../../actors/lvs/health-checks.js';
import type { ResolvedVirtualServer } from '../../actors/checks/resolve-checkers.js';
import { liveDestinations } from '../../machines/desired-state.js';

export interface SimWorld {
  readonly clock: VirtualClock;
  readonly prober: SimulatedProber;
  readonly host: InProcessCheckerHost;
  readonly backend: SimulatedBackend;
  readonly health: HealthChecks;
  readonly events: HealthEvent[];
  /** Live destinations of a service now, as "address:port" (weight > 0, or the sorry server). */
  pool(key: string): string[];
  /** Every change of a service's live pool: [time, pool]. */
  poolChanges(key: string): [number, string[]][];
  /** All destinations (weight 0 included) with their weights. */
  weights(key: string): Record<string, number>;
  notifications(): string[];
}

export function simWorld(
  virtualServers: readonly ResolvedVirtualServer[],
  servers: Readonly<Record<string, SimServerState>>,
  schedule: readonly SimFault[] = [],
  options: { seed?: number; mastersAtStart?: ReadonlySet<string> } = {},
): SimWorld {
  const clock = new VirtualClock();
  const random = new SeededRandom(options.seed ?? 1);
  const prober = new SimulatedProber(clock, servers, schedule);
  const host = new InProcessCheckerHost({ clock, random: random.fork('checkers'), prober });
  const backend = new SimulatedBackend(clock);
  const health = new HealthChecks({
    clock,
    host,
    backend,
    immediateApply: true,
    ...(options.mastersAtStart !== undefined ? { mastersAtStart: options.mastersAtStart } : {}),
  });
  const events: HealthEvent[] = [];
  health.events$.subscribe((e) => events.push(e));
  health.start(virtualServers);
  const liveOf = (state: (typeof backend.history)[number]['state'], key: string): string[] => {
    const service = state?.services.find((s) => s.key === key);
    return service === undefined ? [] : liveDestinations(service).map((d) => `${d.address}:${d.port}`);
  };
  return {
    clock,
    prober,
    host,
    backend,
    health,
    events,
    pool: (key) => backend.pool(key),
    poolChanges(key) {
      const out: [number, string[]][] = [];
      for (const entry of backend.history) {
        if (!entry.changed) continue;
        const live = liveOf(entry.state, key);
        const last = out[out.length - 1];
        if (last === undefined || JSON.stringify(last[1]) !== JSON.stringify(live)) out.push([entry.at, live]);
      }
      return out;
    },
    weights(key) {
      const service = backend.current.services.find((s) => s.key === key);
      const out: Record<string, number> = {};
      for (const d of service?.destinations ?? []) out[`${d.address}:${d.port}`] = d.weight;
      return out;
    },
    notifications() {
      return events.flatMap((e) => {
        if (e.kind === 'real_server') return [`${e.at} ${e.rs} ${e.state}${e.script ? ` ${e.script}` : ''}`];
        if (e.kind === 'quorum') return [`${e.at} quorum ${e.state}${e.script ? ` ${e.script}` : ''}`];
        return [];
      });
    },
  };
}
