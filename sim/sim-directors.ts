/**
 * The simulated surroundings of the directors (nodes with virtual servers): one shared set of simulated real
 * servers whose behaviour follows the scenario, and per node the transports its checker side runs on (checkers
 * in-process on the virtual clock, a simulated load balancer whose every state is recorded with its exact virtual
 * time, for the pool invariant). The checker side itself is the daemon's (actors/lvs/node-checks.ts), attached
 * to the node by the node assembly.
 */
import type { InspectionEvent } from 'xstate';
import { InProcessCheckerHost } from '../actors/checks/checker-host.js';
import type { CheckerTransports, NodeChecks } from '../actors/lvs/node-checks.js';
import type { ResolvedVirtualServer } from '../actors/checks/resolve-checkers.js';
import { SimulatedBackend } from './simulated-backend.js';
import { liveDestinations, type VirtualService } from '../machines/desired-state.js';
import type { LoadBalancerBackend } from '../transport/lb/load-balancer.js';
import { SimulatedProber, type SimServerState } from './simulated-prober.js';
import type { VirtualClock } from './virtual-clock.js';
import type { SeededRandom } from './seeded-random.js';
import type { SimServerMode } from './scenario.js';

/** A change of a director's live pool for one service. */
export interface PoolChange {
  readonly t_ms: number;
  readonly node: string;
  readonly service: string;
  readonly members: readonly string[];
}

/** The same change with the whole service the director programs (undefined: the director is gone), for ECMP flows. */
export interface ServiceChange {
  readonly t_ms: number;
  readonly node: string;
  readonly service: string;
  readonly state: VirtualService | undefined;
}

export class SimDirectors {
  readonly prober: SimulatedProber;
  readonly pools: PoolChange[] = [];
  readonly services: ServiceChange[] = [];
  /** The virtual servers of each node as its first start resolved them (for the invariant). */
  readonly resolved = new Map<string, readonly ResolvedVirtualServer[]>();
  /** Nodes whose checker side runs now. */
  private readonly running = new Set<string>();
  private readonly last = new Map<string, string>();
  /** Per node, the start whose backend may record: a crashed start's checker side, winding down, programs nothing. */
  private readonly current = new Map<string, number>();
  private starts = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: SeededRandom,
    private readonly specs: ReadonlyMap<string, readonly ResolvedVirtualServer[]>,
    servers: Readonly<Record<string, SimServerMode>>,
  ) {
    const initial: Record<string, SimServerState> = {};
    // Every real server of every configuration answers unless the scenario says otherwise.
    for (const list of specs.values()) {
      for (const vs of list) for (const rs of vs.realServers) initial[`${rs.address}:${rs.port}`] = { mode: 'up' };
    }
    for (const [target, mode] of Object.entries(servers)) initial[target] = { mode };
    this.prober = new SimulatedProber(clock, initial);
  }

  get any(): boolean {
    return [...this.specs.values()].some((l) => l.length > 0);
  }

  setServer(target: string, mode: SimServerMode): void {
    this.prober.set(target, { mode });
  }

  /** True when `node` has virtual servers and its checker side is not running: it is to start with the node. */
  wants(node: string): boolean {
    return (this.specs.get(node) ?? []).length > 0 && !this.running.has(node);
  }

  /** The transports of one start of a node's checker side. */
  transports(node: string, inspect?: (event: InspectionEvent) => void): CheckerTransports {
    const start = this.starts++;
    this.current.set(node, start);
    const random = this.random.fork(`checkers:${node}:${start}`);
    const backend = new SimulatedBackend(this.clock);
    // The pool is read right after each apply: the simulated backend takes the state synchronously, while the
    // promise it returns settles only after the virtual clock has moved on.
    const recording: LoadBalancerBackend = {
      name: backend.name,
      apply: (state) => {
        const report = backend.apply(state);
        if (this.current.get(node) === start) this.recordPools(node, backend);
        return report;
      },
      clear: () => backend.clear(),
    };
    return {
      host: new InProcessCheckerHost({ clock: this.clock, random: random.fork('probes'), prober: this.prober, inspect }),
      backend: recording,
      immediateApply: true,
    };
  }

  /** The node's checker side started on `transports(node)`. */
  started(node: string, checks: NodeChecks): void {
    if (!this.resolved.has(node)) this.resolved.set(node, checks.resolved);
    this.running.add(node);
  }

  /** A crash or stop: the node's checkers and load balancer are gone with it. */
  stopped(node: string): void {
    if (!this.running.delete(node)) return;
    this.current.delete(node);
    for (const key of [...this.last.keys()]) {
      if (!key.startsWith(`${node}|`)) continue;
      this.pools.push({ t_ms: this.clock.now(), node, service: key.slice(node.length + 1), members: [] });
      this.services.push({ t_ms: this.clock.now(), node, service: key.slice(node.length + 1), state: undefined });
      this.last.delete(key);
    }
  }

  private recordPools(node: string, backend: SimulatedBackend): void {
    for (const service of backend.current.services) {
      const members = liveDestinations(service).map((d) => `${d.address}:${d.port}`).sort();
      const key = `${node}|${service.key}`;
      const text = members.join(',');
      if (this.last.get(key) === text) continue;
      this.last.set(key, text);
      this.pools.push({ t_ms: Math.round(this.clock.now() * 1000) / 1000, node, service: service.key, members });
      this.services.push({ t_ms: Math.round(this.clock.now() * 1000) / 1000, node, service: service.key, state: service });
    }
  }
}
