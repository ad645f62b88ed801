/**
 * `enable_snmp_vrrp` / `enable_snmp_keepalived`, `enable_snmp_checker` (keepalived-check-mib.ts), `enable_snmp_rfcv2`, `enable_snmp_rfcv3` (`enable_snmp_rfc`: both)
 * and `snmp_socket`: vigil as an AgentX subagent serving KEEPALIVED-MIB's global and vrrp subtrees, VRRP-MIB
 * (RFC 2787) and VRRPV3-MIB (RFC 6527) for the configuration and state of the running daemon, as keepalived's VRRP
 * process does, and taking the sets keepalived takes (keepalived-mib-write.ts). Started by `vigil run`; a missing
 * snmpd is a warning, never a failed start.
 */
import type { Config } from '../../config/model.js';
import type { DaemonStatus } from '../../actors/status.js';
import type { Oid, VarBind } from '../../protocol/agentx-codec.js';
import { MibView } from '../../protocol/snmp-view.js';
import type { Subagent, SubagentFactory } from '../../transport/agentx-subagent.js';
import { KEEPALIVED_CHECK, KEEPALIVED_GLOBAL, KEEPALIVED_VRRP, globalScalars, vrrpTables } from './keepalived-mib.js';
import { checkTables } from './keepalived-check-mib.js';
import { VRRP_MIB, vrrpMibObjects } from './vrrp-mib.js';
import { VRRPV3_MIB, vrrpv3MibObjects, type Rfc6527Sources } from './vrrpv3-mib.js';
import type { MasterReason } from '../../machines/vrrp-instance.js';
import { keepalivedMibWriter, type InstanceControl } from './keepalived-mib-write.js';
import { checkMibWriter, type RealServerControl } from './check-mib-write.js';
import { subtreeWriters, type SubtreeWriter } from './mib-writers.js';
import type { DropReason } from '../../protocol/vrrp-types.js';

export interface SnmpAgentSources {
  readonly config: () => Config | undefined;
  readonly status: () => DaemonStatus;
  readonly ifIndex: (name: string) => number | undefined;
  readonly ifMac: (name: string) => Uint8Array | undefined;
  readonly primaryAddress: (name: string, family: 4 | 6) => string | undefined;
  readonly hostname: string;
  readonly version: string;
  readonly log: { info(message: string): void; warn(message: string): void };
  readonly resolveProgram?: ((program: string) => string) | undefined;
  /** The running instances, for the objects an SNMP set changes (keepalived-mib-write.ts); read-only without. */
  readonly control?: InstanceControl | undefined;
  /** The running real servers, for realServerWeight (check-mib-write.ts); read-only without. */
  readonly checkControl?: RealServerControl | undefined;
  /** Makes the subagent (the real one: transport/real/agentx-subagent.ts). */
  readonly subagent: SubagentFactory;
}

/** Which MIBs the configuration asks for (keepalived: enable_snmp_rfc means both RFC MIBs). */
export function snmpMibs(config: Config): { readonly keepalived: boolean; readonly checker: boolean; readonly rfcv2: boolean; readonly rfcv3: boolean } {
  const g = config.globalDefs;
  const rfc = g.enableSnmpRfc === true;
  return { keepalived: g.enableSnmpVrrp === true, checker: g.enableSnmpChecker === true, rfcv2: g.enableSnmpRfcv2 === true || rfc, rfcv3: g.enableSnmpRfcv3 === true || rfc };
}

/** What the daemon remembers of each instance for the RFC 6527 MIB (snmp-service.ts keeps it from the bus). */
export interface InstanceHistory {
  /** sysUpTime-like centiseconds when the instance left INIT. */
  readonly upSince: (instance: string) => number | undefined;
  readonly masterReason: (instance: string) => MasterReason | undefined;
  readonly protoError: (instance: string) => DropReason | undefined;
}

/** The subagent for this configuration, not yet started; undefined when no MIB is enabled. */
export function snmpAgentFor(config: Config, src: SnmpAgentSources, history: InstanceHistory): Subagent | undefined {
  const mibs = snmpMibs(config);
  const subtrees: Oid[] = [
    // keepalived's checker process serves the global scalars too when its VRRP side does not.
    ...(mibs.keepalived || mibs.checker ? [KEEPALIVED_GLOBAL] : []),
    ...(mibs.keepalived ? [KEEPALIVED_VRRP] : []),
    ...(mibs.checker ? [KEEPALIVED_CHECK] : []),
    ...(mibs.rfcv2 ? [VRRP_MIB] : []),
    ...(mibs.rfcv3 ? [VRRPV3_MIB] : []),
  ];
  if (subtrees.length === 0) return undefined;
  // keepalived's writable objects are KEEPALIVED-MIB's (the RFC MIBs are read-only there).
  const current = (): Config => src.config() ?? config;
  const writers: SubtreeWriter[] = [];
  if (mibs.keepalived && src.control !== undefined) writers.push({ subtree: KEEPALIVED_VRRP, writer: keepalivedMibWriter(current, src.control, src.log) });
  if (mibs.checker && src.checkControl !== undefined) writers.push({ subtree: KEEPALIVED_CHECK, writer: checkMibWriter(current, src.checkControl) });
  return src.subagent({
    socket: config.globalDefs.snmpSocket,
    description: `vigil ${src.version} VRRP`,
    subtrees,
    log: src.log,
    write: subtreeWriters(writers),
    view: () => {
      const sources = rfcSources(src.config() ?? config, src, history);
      const objects: VarBind[] = [];
      if (mibs.keepalived || mibs.checker) objects.push(...globalScalars(sources));
      if (mibs.keepalived) objects.push(...vrrpTables(sources));
      if (mibs.checker) objects.push(...checkTables(sources));
      if (mibs.rfcv2) objects.push(...vrrpMibObjects(sources));
      if (mibs.rfcv3) objects.push(...vrrpv3MibObjects(sources));
      return new MibView(objects, subtrees);
    },
  });
}

export function rfcSources(config: Config, src: SnmpAgentSources, history: InstanceHistory): Rfc6527Sources {
  return {
    ...history,
    config,
    status: src.status(),
    ifIndex: src.ifIndex,
    ifMac: src.ifMac,
    primaryAddress: src.primaryAddress,
    version: src.version,
    hostname: src.hostname,
    resolveProgram: src.resolveProgram,
    preempt: src.control ? (i) => src.control?.preempt(i) : undefined,
  };
}
