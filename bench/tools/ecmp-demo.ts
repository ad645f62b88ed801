/**
 * The driver of examples/ecmp/run.sh (issue 18's demo): builds the three-director ECMP topology in namespaces
 * (test/ecmp/topology.ts), runs the scenario (test/ecmp/scenario.ts) and prints its JSON report on stdout;
 * progress goes to stderr. Always cleans up, on SIGINT / SIGTERM too.
 *   node dist/bench/tools/ecmp-demo.js [--speaker bird|frr] [--flows N]
 * ECMP_DEMO_DETAILS=1 adds, on stderr, what the report leaves out (every flow's answers, per step).
 */
import { createEcmpTopology, type EcmpTopology } from '../../test/ecmp/topology.js';
import { runEcmpScenario } from '../../test/ecmp/scenario.js';
import type { SpeakerKind } from '../../test/ecmp/speakers.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const speaker = option('speaker', 'bird');
const flows = Number(option('flows', '10000'));
if (speaker !== 'bird' && speaker !== 'frr') {
  process.stderr.write(`ecmp demo: --speaker must be bird or frr, not ${speaker}\n`);
  process.exit(2);
}
if (!Number.isInteger(flows) || flows < 1 || flows > 30000) {
  process.stderr.write(`ecmp demo: --flows must be an integer from 1 to 30000, not ${option('flows', '')}\n`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  process.stderr.write('ecmp demo: needs root (network namespaces)\n');
  process.exit(2);
}

const log = (line: string): void => void process.stderr.write(`# ${line}\n`);
let topology: EcmpTopology | undefined;
let stopping = false;
const stop = async (code: number): Promise<never> => {
  await topology?.cleanup();
  process.exit(code);
};
const interrupted = (code: number): void => {
  stopping = true;
  log('interrupted: cleaning up');
  void stop(code);
};
process.once('SIGINT', () => interrupted(130));
process.once('SIGTERM', () => interrupted(143));

try {
  topology = await createEcmpTopology({ speaker: speaker as SpeakerKind, log });
  const { report, details } = await runEcmpScenario(topology, { flows, log });
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  if (process.env.ECMP_DEMO_DETAILS) process.stderr.write(`${JSON.stringify(details)}\n`);
  await stop(0);
} catch (error) {
  // After an interruption, what fails is the cleanup's doing: stop() exits with the signal's code.
  if (!stopping) {
    process.stderr.write(`ecmp demo: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
  }
}
