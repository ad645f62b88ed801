/**
 * `vigil sim --explore`: layers randomized faults on a scenario, from a seed, so that any violation found can be
 * replayed exactly from that seed. Faults come in pairs that undo themselves (partition/heal, crash/restart,
 * loss on/off, jitter on/off) and every run ends with a quiet stretch, so the invariants have a stable period to
 * judge.
 */
import type { Random } from '../transport/random.js';
import type { Scenario, ScenarioEvent } from './scenario.js';
import { runSimulation, type SimulationOptions, type SimulationResult } from './run.js';
import { SeededRandom } from './seeded-random.js';

export interface ExploreOptions {
  /** Maximum number of fault pairs per run. */
  readonly maxFaults: number;
  /** The last part of the run stays free of injected faults (ms). */
  readonly quietTailMs: number;
}

export const DEFAULT_EXPLORE: ExploreOptions = { maxFaults: 6, quietTailMs: 15_000 };

function between(random: Random, min: number, max: number): number {
  return min + random.next() * (max - min);
}

/** Rounded to the millisecond so the generated schedule prints cleanly. */
function ms(value: number): number {
  return Math.round(value);
}

export function exploreScenario(base: Scenario, random: Random, options: ExploreOptions = DEFAULT_EXPLORE): Scenario {
  const names = base.nodes.map((n) => n.name);
  const horizon = base.durationMs - options.quietTailMs;
  if (horizon <= 1000 || names.length === 0) return base;
  const extra: ScenarioEvent[] = [];
  const count = 1 + Math.floor(random.next() * options.maxFaults);
  for (let i = 0; i < count; i++) {
    const start = ms(between(random, 1000, horizon - 500));
    const end = ms(Math.min(horizon, start + between(random, 500, 12_000)));
    const node = names[Math.floor(random.next() * names.length)]!;
    const kind = Math.floor(random.next() * 5);
    switch (kind) {
      case 0: {
        const shuffled = [...names].sort(() => random.next() - 0.5);
        const cut = 1 + Math.floor(random.next() * Math.max(1, names.length - 1));
        extra.push({ atMs: start, action: { kind: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] } });
        extra.push({ atMs: end, action: { kind: 'heal' } });
        break;
      }
      case 1:
        extra.push({ atMs: start, action: { kind: 'crash', node } });
        extra.push({ atMs: end, action: { kind: 'restart', node } });
        break;
      case 2:
        extra.push({ atMs: start, action: { kind: 'stop', node } });
        extra.push({ atMs: end, action: { kind: 'start', node } });
        break;
      case 3:
        extra.push({ atMs: start, action: { kind: 'network', settings: { loss: Math.round(random.next() * 30) / 100 } } });
        extra.push({ atMs: end, action: { kind: 'network', settings: { loss: 0 } } });
        break;
      default:
        extra.push({ atMs: start, action: { kind: 'network', settings: { jitterMs: ms(between(random, 1, 50)) } } });
        extra.push({ atMs: end, action: { kind: 'network', settings: { jitterMs: base.network.jitterMs } } });
        break;
    }
  }
  const events = [...base.events, ...extra]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i)
    .map((x) => x.e);
  return { ...base, events };
}

/** One exploration run: the faults are drawn from their own stream of the seed, the world from another. */
export function exploreRun(scenario: Scenario, seed: number, untilMs: number | undefined, observe?: SimulationOptions['observe']): SimulationResult {
  const faults = new SeededRandom(seed).fork('explore-faults');
  return runSimulation(exploreScenario(scenario, faults), { seed, untilMs, observe });
}
