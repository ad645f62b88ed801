/**
 * `vigil sim SCENARIO [--seed N] [--json] [--until 60s] [--explore N]`.
 * Exit 0 when every invariant holds, 1 when one is violated, 2 on bad input (one line naming the file).
 */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadScenarioFile, ScenarioError } from '../sim/scenario.js';
import { parseDuration } from '../sim/duration.js';
import { runSimulation, simulationJson } from '../sim/run.js';
import { SimulationInputError } from '../sim/simulation-input-error.js';
import { exploreRun } from '../sim/explore.js';
import { formatTimeline } from '../sim/report-text.js';
import { addSimObservationOptions, SimObservation, type SimObservationOptions } from './sim-observe.js';
import { failer, type Fail } from './fail.js';

interface SimOptions extends SimObservationOptions {
  seed: string;
  json?: boolean;
  until?: string;
  explore?: string;
}

const fail: Fail = failer('sim');

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) fail(`--seed: not an integer from 0 to 4294967295: ${text}`);
  return Number(text);
}

export function registerSimCommand(program: Command): void {
  addSimObservationOptions(program.command('sim'))
    .description('run a failover scenario in the deterministic simulator')
    .argument('<scenario>', 'scenario file (JSON or YAML)')
    .option('--seed <n>', 'seed of the simulated world', '1')
    .option('--json', 'print one JSON object instead of a timeline')
    .option('--until <duration>', 'stop the simulation at this virtual time (e.g. 60s)')
    .option('--explore <n>', 'run N seeds with randomized faults layered on the scenario')
    .action(async (file: string, options: SimOptions) => {
      const seed = parseSeed(options.seed);
      let untilMs: number | undefined;
      if (options.until !== undefined) {
        untilMs = parseDuration(options.until);
        if (untilMs === undefined || untilMs <= 0) fail(`--until: not a duration: ${options.until}`);
      }
      try {
        const scenario = loadScenarioFile(file);
        if (options.explore !== undefined) {
          const runs = Number(options.explore);
          if (!Number.isInteger(runs) || runs < 1) fail(`--explore: not a positive integer: ${options.explore}`);
          if (runs > 1) {
            process.exitCode = explore(scenario, seed, runs, untilMs, options.json === true);
            return;
          }
        }
        // `--explore 1 --seed N` is the replay of one exploration run: it prints that run like a plain one.
        const observation = new SimObservation(options, { scenario: file, seed, duration_ms: untilMs ?? scenario.durationMs });
        const observe = observation.wanted ? observation.observe : undefined;
        const result =
          options.explore !== undefined ? exploreRun(scenario, seed, untilMs, observe) : runSimulation(scenario, { seed, untilMs, observe });
        await observation.finish(result, `${file} seed ${seed}`);
        process.stdout.write(options.json ? `${simulationJson(result)}\n` : formatTimeline(result));
        process.exitCode = result.invariants.every((i) => i.ok) ? 0 : 1;
      } catch (err) {
        if (err instanceof ScenarioError || err instanceof SimulationInputError) fail(err.message);
        throw err;
      }
    });
}

interface Violation {
  seed: number;
  invariant: string;
  detail: string;
}

function explore(
  scenario: Parameters<typeof runSimulation>[0],
  firstSeed: number,
  runs: number,
  untilMs: number | undefined,
  json: boolean,
): number {
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'explore [{bar}] {value}/{total} seeds, {violations} violations' }, Presets.shades_classic) : undefined;
  bar?.start(runs, 0, { violations: 0 });
  const violations: Violation[] = [];
  let events = 0;
  for (let i = 0; i < runs; i++) {
    const seed = (firstSeed + i) >>> 0;
    const result = exploreRun(scenario, seed, untilMs);
    events += result.stats.events;
    for (const inv of result.invariants) if (!inv.ok) violations.push({ seed, invariant: inv.name, detail: inv.detail });
    bar?.update(i + 1, { violations: violations.length });
  }
  bar?.stop();
  if (json) {
    process.stdout.write(`${JSON.stringify({ runs, first_seed: firstSeed, events, violations })}\n`);
  } else {
    process.stdout.write(`explored ${runs} seeds from ${firstSeed} (${events} events): ${violations.length} violations\n`);
    for (const v of violations) {
      process.stdout.write(`  seed ${v.seed}: ${v.invariant}: ${v.detail}\n    replay: vigil sim --explore 1 --seed ${v.seed} SCENARIO\n`);
    }
  }
  return violations.length === 0 ? 0 : 1;
}
