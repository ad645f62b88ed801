/**
 * The checker side of simulated nodes: one shared set of simulated real servers (their behaviour follows the
 * scenario), and per node with virtual servers the same HealthChecks composition as the daemon, its checkers
 * in-process on the virtual clock and a simulated load balancer whose history has exact virtual times.
 */
import type { Subscription } from 'rxjs';
import type { InspectionEvent } from 'xstate';
import type { Bus } from '../actors/bus.js';
import { InProcessCheckerHost } from '../actors/checks/checker-host.js';
import { HealthChecks } from '../actors/lvs/health-checks.js';
import type { ResolvedVirtualServer } from '../actors/checks/resolve-checkers.js';
import { SimulatedBackend } from './simulated-backend.js';
import { liveDestinations } from '../machines/desired-state.js';
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

interface Running {
  readonly health: HealthChecks;
  readonly backend: SimulatedBackend;
  readonly subscription: Subscription;
}

export class SimDirectors {
  readonly prober: SimulatedProber;
  readonly pools: PoolChange[] = [];
  /** The virtual servers of each node as its first start resolved them (for the invariant). */
  readonly resolved = new Map<string, readonly ResolvedVirtualServer[]>();
  private readonly running = new Map<string, Running>();
  private readonly last = new Map<string, string>();
  private starts = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: SeededRandom,
    private readonly bus: Bus,
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

  start(node: string, mastersAtStart: ReadonlySet<string>, inspect?: (event: InspectionEvent) => void): void {
    const specs = this.specs.get(node) ?? [];
    if (specs.length === 0 || this.running.has(node)) return;
    const random = this.random.fork(`checkers:${node}:${this.starts++}`);
    const backend = new SimulatedBackend(this.clock);
    // The pool is read right after each apply: the simulated backend takes the state synchronously, while the
    // promise it returns settles only after the virtual clock has moved on.
    const recording: LoadBalancerBackend = {
      name: backend.name,
      apply: (state) => {
        const report = backend.apply(state);
        this.recordPools(node, backend);
        return report;
      },
      clear: () => backend.clear(),
    };
    const health = new HealthChecks({
      clock: this.clock,
      host: new InProcessCheckerHost({ clock: this.clock, random: random.fork('probes'), prober: this.prober, inspect }),
      backend: recording,
      immediateApply: true,
      mastersAtStart,
      inspect,
    });
    const subscription = this.bus.messages$.subscribe((m) => {
      if (m.kind === 'transition' && m.node === node) health.vrrpState(m.instance, m.to);
    });
    health.start(specs);
    if (!this.resolved.has(node)) this.resolved.set(node, health.virtualServers.map((v) => v.vs));
    this.running.set(node, { health, backend, subscription });
  }

  /** A crash or stop: the node's checkers and load balancer are gone with it. */
  stop(node: string): void {
    const r = this.running.get(node);
    if (!r) return;
    this.running.delete(node);
    r.subscription.unsubscribe();
    void r.health.stop();
    for (const key of [...this.last.keys()]) {
      if (!key.startsWith(`${node}|`)) continue;
      this.pools.push({ t_ms: this.clock.now(), node, service: key.slice(node.length + 1), members: [] });
      this.last.delete(key);
    }
  }

  isRunning(node: string): boolean {
    return this.running.has(node);
  }

  private recordPools(node: string, backend: SimulatedBackend): void {
    for (const service of backend.current.services) {
      const members = liveDestinations(service).map((d) => `${d.address}:${d.port}`).sort();
      const key = `${node}|${service.key}`;
      const text = members.join(',');
      if (this.last.get(key) === text) continue;
      this.last.set(key, text);
      this.pools.push({ t_ms: Math.round(this.clock.now() * 1000) / 1000, node, service: service.key, members });
    }
  }
}
