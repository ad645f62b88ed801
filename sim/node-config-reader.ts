/**
 * Reads a node's keepalived.conf for the simulator: the configuration the node is assembled from, and what the
 * world checks and judges it by (the VRRP node spec, the virtual servers). The node's name is its config id
 * (keepalived's default config id is the host name), so `@lb1 priority 150` works. A configuration error becomes
 * a SimulationInputError: one line with file:line.
 */
import { nodeSpec, type KeepalivedConfig } from '../actors/vrrp/specs-from-config.js';
import type { VrrpNodeSpec } from '../actors/vrrp/instance-spec.js';
import { resolveVirtualServers, type ResolvedVirtualServer } from '../actors/checks/resolve-checkers.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { parseConfigText } from '../config/parse.js';
import { SimulationInputError } from './simulation-input-error.js';

export interface SimNodeConfig {
  /** The configuration the node is assembled from (actors/node-assembly.ts). */
  readonly config: KeepalivedConfig;
  readonly vrrp: VrrpNodeSpec;
  readonly virtualServers: readonly ResolvedVirtualServer[];
}

export function loadNodeConfig(text: string, file: string, node: string): SimNodeConfig {
  const result = parseConfigText(text, file, { configId: node });
  const first = result.errors[0];
  if (first) throw new SimulationInputError(`${formatDiagnostic(first)} (node ${node})`);
  return { config: result.config, vrrp: nodeSpec(result.config), virtualServers: resolveVirtualServers(result.config) };
}

/** The VRRP part alone. */
export function loadVrrpConfig(text: string, file: string, node: string): VrrpNodeSpec {
  return loadNodeConfig(text, file, node).vrrp;
}
