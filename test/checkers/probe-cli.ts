/**
 * Runs one probe of any kind through the daemon's prober and prints its result as JSON: for tests that must probe
 * from inside a network namespace (`ip netns exec NS node probe-cli.js SPEC_JSON`). Byte fields (a UDP payload)
 * are given as arrays of numbers.
 */
import { RealProber } from '../../transport/real/probers/real-prober.js';
import type { ProbeSpec } from '../../transport/prober.js';

// Without a spec (the test runner walks this folder and runs every file) there is nothing to do.
if (process.argv[2] !== undefined) {
  const raw = JSON.parse(process.argv[2]) as Record<string, unknown>;
  const spec = (raw['kind'] === 'udp' ? { ...raw, payload: Uint8Array.from(raw['payload'] as number[]) } : raw) as unknown as ProbeSpec;
  const prober = new RealProber();
  const result = await prober.probe(spec);
  prober.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
