/** A simulation run that also records a value of its actors' contexts over virtual time. Only exports. */
import type { InspectionEvent } from 'xstate';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, type SimulationResult } from '../../sim/run.js';

/** Each change of a value read from an actor's snapshot, with its virtual time, per "node/actor". */
export type Series<V = unknown> = Map<string, [number, V][]>;

/**
 * Runs the scenario `text` (named `file` in its errors) with seed 1; `pick` reads the value of an actor's context,
 * undefined for an actor of no interest; each change of it is kept.
 */
export function runWithSeries<V>(text: string, file: string, pick: (actorId: string, context: Record<string, unknown>) => V | undefined): { result: SimulationResult; series: Series<V> } {
  const series: Series<V> = new Map();
  const result = runSimulation(parseScenario(text, file), {
    seed: 1,
    observe: ({ clock }) => ({
      inspector: (node: string) => (event: InspectionEvent) => {
        if (event.type !== '@xstate.snapshot') return;
        const context = (event.snapshot as { context?: Record<string, unknown> }).context;
        if (!context) return;
        const id = String((event.actorRef as { id?: unknown }).id);
        const value = pick(id, context);
        if (value === undefined) return;
        const key = `${node}/${id}`;
        const list = series.get(key) ?? [];
        if (list.length === 0 || JSON.stringify(list[list.length - 1]![1]) !== JSON.stringify(value)) list.push([clock.now(), value]);
        series.set(key, list);
      },
      fault: () => {},
    }),
  });
  return { result, series };
}
