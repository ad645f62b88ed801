/**
 * Reads a node's keepalived.conf for the simulator and resolves it to the runtime's VrrpNodeSpec. A problem
 * becomes a SimulationInputError whose message is one line with file:line.
 */
import { nodeSpec } from '../actors/instance-specs.js';
import type { VrrpNodeSpec } from '../actors/vrrp-instance-spec.js';
import { MinimalConfigError, readVrrpConfig } from '../config/minimal-vrrp-reader.js';
import { SimulationInputError } from './run.js';

export function loadVrrpConfig(text: string, file: string, node: string): VrrpNodeSpec {
  try {
    return nodeSpec(readVrrpConfig(text, file));
  } catch (err) {
    if (err instanceof MinimalConfigError) throw new SimulationInputError(`${err.message} (node ${node})`);
    throw err;
  }
}
