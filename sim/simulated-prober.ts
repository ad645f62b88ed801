/**
 * The simulator's prober: simulated real servers whose behaviour follows a fault schedule on the injected Clock.
 * A server answers (after its latency), refuses (fails after its latency), or is silent (the probe times out).
 * Deterministic: no randomness, answers delivered by clock timers in schedule order.
 *
 * A probe is matched to a server by "host:port" first, then by host alone; MISC_CHECK by "misc:<program>",
 * FILE_CHECK by "file:<path>". Unknown targets are silent.
 */
import type { Clock } from '../machines/clock.js';
import type { CallbackProber, ProbeResult, ProbeSpec } from '../transport/prober.js';
import type { ProbeWeight } from '../machines/checker-logic.js';

export type SimServerMode = 'up' | 'refuse' | 'silent';

export interface SimServerState {
  readonly mode: SimServerMode;
  /** Time an answer (or refusal) takes; default 1 ms. */
  readonly latencyMs?: number;
  /** Reported with success (MISC_CHECK misc_dynamic, FILE_CHECK weights). */
  readonly weight?: ProbeWeight;
}

export interface SimFault {
  readonly atMs: number;
  readonly target: string;
  readonly state: SimServerState;
}

export function simTargetKeys(spec: ProbeSpec): string[] {
  switch (spec.kind) {
    case 'misc':
      return [`misc:${spec.argv[0] ?? ''}`];
    case 'file':
      return [`file:${spec.path}`];
    default:
      return [`${spec.target.host}:${spec.target.port}`, spec.target.host];
  }
}

export class SimulatedProber implements CallbackProber {
  private readonly states = new Map<string, SimServerState>();
  /** Probes started, by target key (the first key of the spec). */
  readonly probes = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    initial: Readonly<Record<string, SimServerState>> = {},
    schedule: readonly SimFault[] = [],
  ) {
    for (const [target, state] of Object.entries(initial)) this.states.set(target, state);
    for (const fault of schedule) this.clock.setTimeout(() => this.set(fault.target, fault.state), fault.atMs - this.clock.now());
  }

  set(target: string, state: SimServerState): void {
    this.states.set(target, state);
  }

  stateOf(spec: ProbeSpec): SimServerState {
    for (const key of simTargetKeys(spec)) {
      const state = this.states.get(key);
      if (state !== undefined) return state;
    }
    return { mode: 'silent' };
  }

  probeWith(spec: ProbeSpec, done: (result: ProbeResult) => void): boolean {
    const key = simTargetKeys(spec)[0]!;
    this.probes.set(key, (this.probes.get(key) ?? 0) + 1);
    const state = this.stateOf(spec);
    const timeoutMs = spec.kind === 'file' ? 0 : spec.timeoutMs;
    const latencyMs = state.latencyMs ?? 1;
    if (state.mode === 'silent' || (latencyMs > timeoutMs && spec.kind !== 'file')) {
      this.clock.setTimeout(() => done({ ok: false, detail: 'timeout', latencyMs: timeoutMs }), timeoutMs);
      return false;
    }
    const ok = state.mode === 'up';
    this.clock.setTimeout(() => {
      const result: ProbeResult = { ok, detail: ok ? 'simulated answer' : 'simulated refusal', latencyMs };
      done(ok && state.weight !== undefined ? { ...result, weight: state.weight } : result);
    }, latencyMs);
    // The checker's own race decides a timeout, as it did before probers could keep one themselves.
    return false;
  }

  probe(spec: ProbeSpec): Promise<ProbeResult> {
    return new Promise((resolve) => this.probeWith(spec, resolve));
  }

  close(): void {}
}
