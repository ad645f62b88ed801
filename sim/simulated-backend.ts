/**
 * The simulator's load balancer: no kernel, just the record of what vigil asked for and when (on the injected
 * Clock), plus the pool a simulated client would be sent to. Same contract and same validation as the real
 * backends, so a scenario exercises the code path the daemon runs.
 */
import type { Clock } from '../machines/clock.js';
import { assertValidDesiredState, liveDestinations, type DesiredState, type Destination } from '../machines/desired-state.js';
import type { ApplyReport, LoadBalancerBackend } from '../transport/lb/load-balancer.js';

export interface AppliedState {
  /** Clock time of the apply (virtual milliseconds in the simulator). */
  readonly at: number;
  /** Undefined for clear(). */
  readonly state: DesiredState | undefined;
  readonly changed: boolean;
}

export class SimulatedBackend implements LoadBalancerBackend {
  readonly name = 'simulated';
  readonly #clock: Clock;
  readonly #history: AppliedState[] = [];
  #current: DesiredState = { services: [] };
  #signature = JSON.stringify(this.#current);
  /** Per-service counters for choose(): weighted round robin over live destinations. */
  readonly #turns = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async apply(state: DesiredState): Promise<ApplyReport> {
    assertValidDesiredState(state);
    const signature = JSON.stringify(state);
    const changed = signature !== this.#signature;
    // A copy: later mutation of the caller's objects must not rewrite history.
    const copy = JSON.parse(signature) as DesiredState;
    this.#history.push({ at: this.#clock.now(), state: copy, changed });
    if (changed) {
      this.#current = copy;
      this.#signature = signature;
    }
    return {
      backend: this.name,
      changed,
      services: state.services.filter((s) => liveDestinations(s).length > 0).length,
      liveDestinations: state.services.reduce((n, s) => n + liveDestinations(s).length, 0),
      operations: changed ? 1 : 0,
      approximations: [],
      warnings: [],
    };
  }

  async clear(): Promise<void> {
    const changed = this.#current.services.length > 0;
    this.#history.push({ at: this.#clock.now(), state: undefined, changed });
    this.#current = { services: [] };
    this.#signature = JSON.stringify(this.#current);
  }

  /** Every apply and clear, in order. */
  get history(): readonly AppliedState[] {
    return this.#history;
  }

  get current(): DesiredState {
    return this.#current;
  }

  /** Addresses (address:port) that would receive new connections for a service now. */
  pool(key: string): string[] {
    const service = this.#current.services.find((s) => s.key === key);
    return service === undefined ? [] : liveDestinations(service).map((d) => `${d.address}:${d.port}`);
  }

  /** The destination a new connection gets: weighted round robin over the live pool (deterministic). */
  choose(key: string): Destination | undefined {
    const service = this.#current.services.find((s) => s.key === key);
    if (service === undefined) return undefined;
    const live = liveDestinations(service);
    const total = live.reduce((n, d) => n + d.weight, 0);
    if (total === 0) return undefined;
    const turn = this.#turns.get(key) ?? 0;
    this.#turns.set(key, turn + 1);
    let slot = turn % total;
    for (const d of live) {
      if (slot < d.weight) return d;
      slot -= d.weight;
    }
    return undefined;
  }
}
