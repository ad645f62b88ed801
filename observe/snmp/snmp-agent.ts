/**
 * `enable_snmp_vrrp` / `enable_snmp_keepalived` (and `snmp_socket`): vigil as an AgentX subagent serving
 * KEEPALIVED-MIB's global and vrrp subtrees for the configuration and state of the running daemon, as keepalived's
 * VRRP process does. Started by `vigil run` after the daemon; a missing snmpd is a warning, never a failed start.
 */
import type { Config } from '../../config/model.js';
import type { DaemonStatus } from '../../actors/status.js';
import { MibView } from '../../protocol/snmp-view.js';
import type { Subagent, SubagentFactory } from '../../transport/agentx-subagent.js';
import { KEEPALIVED_GLOBAL, KEEPALIVED_VRRP, globalScalars, vrrpTables } from './keepalived-mib.js';

export interface SnmpAgentSources {
  readonly config: () => Config | undefined;
  readonly status: () => DaemonStatus;
  readonly ifIndex: (name: string) => number | undefined;
  readonly hostname: string;
  readonly version: string;
  readonly log: { info(message: string): void; warn(message: string): void };
  readonly resolveProgram?: ((program: string) => string) | undefined;
  /** Makes the subagent (the real one: transport/real/agentx-subagent.ts). */
  readonly subagent: SubagentFactory;
}

/** Whether the configuration asks for the KEEPALIVED-MIB VRRP subtree. */
export function snmpVrrpEnabled(config: Config): boolean {
  return config.globalDefs.enableSnmpVrrp === true;
}

/** The subagent for this configuration, not yet started; undefined when SNMP is not enabled. */
export function snmpAgentFor(config: Config, src: SnmpAgentSources): Subagent | undefined {
  if (!snmpVrrpEnabled(config)) return undefined;
  const subtrees = [KEEPALIVED_GLOBAL, KEEPALIVED_VRRP];
  return src.subagent({
    socket: config.globalDefs.snmpSocket,
    description: `vigil ${src.version} VRRP`,
    subtrees,
    log: src.log,
    view: () => {
      const running = src.config() ?? config;
      const sources = { config: running, status: src.status(), ifIndex: src.ifIndex, version: src.version, hostname: src.hostname, resolveProgram: src.resolveProgram };
      return new MibView([...globalScalars(sources), ...vrrpTables(sources)], subtrees);
    },
  });
}
