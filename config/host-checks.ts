/**
 * Checks of a configuration against the host it is tested on, as `keepalived -t` does: a vrrp_instance on an
 * interface that does not exist is an error (keepalived exits 5). Skipped where /sys/class/net cannot be read.
 */
import { readdirSync } from 'node:fs';
import type { Config } from './model.js';

export interface HostProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export function hostInterfaces(): ReadonlySet<string> | undefined {
  try {
    return new Set(readdirSync('/sys/class/net'));
  } catch {
    return undefined;
  }
}

export function missingInterfaces(config: Config, interfaces: ReadonlySet<string> | undefined = hostInterfaces()): HostProblem[] {
  if (!interfaces) return [];
  const problems: HostProblem[] = [];
  for (const i of config.vrrpInstances) {
    if (!interfaces.has(i.interface)) problems.push({ file: i.at.file, line: i.at.line, message: `vrrp_instance ${i.name}: interface ${i.interface} does not exist` });
  }
  return problems;
}
