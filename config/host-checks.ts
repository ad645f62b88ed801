/**
 * Checks of a configuration against the host it is tested on, as `keepalived -t` makes them: the interfaces it
 * names (config/host-check-interfaces.ts), the iproute2 names of its routes, rules and addresses
 * (config/host-check-names.ts), its script users and script files (config/host-check-scripts.ts).
 *
 * What `keepalived -t` refuses is an error (`vigil config test` exits 1, as for any other error); what keepalived
 * only drops while `-t` passes (a notify script it cannot run) is a warning. `interfaces: false` (`config test
 * --no-interfaces`) leaves out the interface checks, for a file meant for another machine.
 */
import { Diagnostics, type Diagnostic } from './diagnostics.js';
import { checkInterfaces } from './host-check-interfaces.js';
import { checkNames } from './host-check-names.js';
import { checkScripts } from './host-check-scripts.js';
import { readHostFacts, type HostFacts } from './host-facts.js';
import type { Config } from './model.js';

export interface HostCheckOptions {
  /** Check the interfaces (default true). Skipped anyway where the host's interfaces cannot be read. */
  readonly interfaces?: boolean;
}

export interface HostCheckResult {
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
}

export function checkHost(config: Config, host: HostFacts = readHostFacts(), options: HostCheckOptions = {}): HostCheckResult {
  const d = new Diagnostics();
  if (options.interfaces !== false && host.interfaces !== undefined) checkInterfaces(config, host.interfaces, d);
  checkNames(config, host.names, d);
  checkScripts(config, host, d);
  return { errors: d.errors, warnings: d.warnings };
}
