/**
 * Reads a node's keepalived.conf for the simulator and resolves it to the runtime's VrrpNodeSpec. The node's
 * name is its config id (keepalived's default config id is the host name), so `@lb1 priority 150` works. A
 * configuration error becomes a SimulationInputError whose message is one line with file:line.
 */
import { nodeSpec } from '../actors/instance-specs.js';
import type { VrrpNodeSpec } from '../actors/vrrp-instance-spec.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { parseConfigText } from '../config/parse.js';
import { SimulationInputError } from './run.js';

export function loadVrrpConfig(text: string, file: string, node: string): VrrpNodeSpec {
  const result = parseConfigText(text, file, { configId: node });
  const first = result.errors[0];
  if (first) throw new SimulationInputError(`${formatDiagnostic(first)} (node ${node})`);
  return nodeSpec(result.config);
}
