/**
 * Runs one probe with the real prober and prints its result as JSON, for probes that must start inside a network
 * namespace (`ip netns exec NS node probe-cli.js SPEC_JSON`). Without a spec (the test runner runs every file
 * under dist/test) it does nothing.
 */
import { RealProber } from '../../transport/real/probers/real-prober.js';
import type { ProbeSpec } from '../../transport/prober.js';

if (process.argv[2] !== undefined) {
  const prober = new RealProber();
  const started = performance.now();
  const result = await prober.probe(JSON.parse(process.argv[2]) as ProbeSpec);
  const tookMs = performance.now() - started;
  prober.close();
  process.stdout.write(`${JSON.stringify({ result, tookMs })}\n`);
}
