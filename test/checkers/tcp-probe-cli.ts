/**
 * Runs one TCP_CHECK probe and prints its result as JSON: for tests that must probe from inside a network
 * namespace (`ip netns exec NS node tcp-probe-cli.js SPEC_JSON [native|socket]`).
 */
import { probeTcp } from '../../transport/real/probers/tcp-prober.js';
import { probeTcpSocket } from '../../transport/real/probers/socket-tcp-prober.js';
import type { TcpProbeSpec } from '../../transport/prober.js';

// Without a spec (the test runner walks this folder and runs every file) there is nothing to do.
if (process.argv[2] !== undefined) {
  const spec = JSON.parse(process.argv[2]) as TcpProbeSpec;
  const result = await (process.argv[3] === 'socket' ? probeTcpSocket(spec) : probeTcp(spec));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
