/**
 * Reads a node's keepalived.conf for the simulator and resolves it to what the runtime runs: the VRRP node spec
 * and the virtual servers (resolved as the daemon resolves them, actors/checks/resolve-checkers.ts). The node's name is its config id (keepalived's default config id is the host name), so
 * `@lb1 priority 150` works. A configuration error becomes a SimulationInputError: one line with file:line.
 */
import { nodeSpec } from '../actors/vrrp/specs-from-config.js';
import type { VrrpNodeSpec } from '../actors/vrrp/instance-spec.js';
import { resolveVirtualServers, type ResolvedVirtualServer } from '../actors/checks/resolve-checkers.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { parseConfigText } from '../config/parse.js';
import { SimulationInputError } from './run.js';

export interface SimNodeConfig {
  readonly vrrp: VrrpNodeSpec;
  readonly virtualServers: readonly ResolvedVirtualServer[];
}

export function loadNodeConfig(text: string, file: string, node: string): SimNodeConfig {
  const result = parseConfigText(text, file, { configId: node });
  const first = result.errors[0];
  if (first) throw new SimulationInputError(`${formatDiagnostic(first)} (node ${node})`);
  return { vrrp: nodeSpec(result.config), virtualServers: resolveVirtualServers(result.config) };
}

/** The VRRP part alone. */
export function loadVrrpConfig(text: string, file: string, node: string): VrrpNodeSpec {
  return loadNodeConfig(text, file, node).vrrp;
}
