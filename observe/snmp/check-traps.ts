/**
 * KEEPALIVED-MIB's check notifications as keepalived 2.2.7 sends them (check/check_snmp.c check_snmp_rs_trap, from
 * ipwrapper.c do_rs_notifies and do_vs_notifies: where notify_up / notify_down and quorum_up / quorum_down run),
 * with `enable_traps` and `enable_snmp_checker`:
 * - realServerStateChange (check.5.0.1): realServerAddrType, realServerAddress, realServerPort, realServerStatus;
 * - virtualServerQuorumStateChange (check.5.0.2);
 * both then name the virtual server: virtualServerType, then its group's name, its fwmark, or its address type,
 * address and port; virtualServerProtocol; the quorum's (virtualServerQuorumStatus met 1 / notMet 2 / shutdown 3
 * while stopping, virtualServerQuorum); virtualServerRealServersUp and …Total; routerId.
 * As keepalived does, the objects are sent without a row index, and virtualServerProtocol is tcp(1) for TCP and
 * udp(2) for anything else (it tests for TCP only).
 */
import { isIPv4 } from 'node:net';
import type { Config, VirtualServer } from '../../config/model.js';
import type { BusMessage } from '../../actors/bus.js';
import { hostPort, virtualServerKeys } from '../../actors/checks/resolve-checkers.js';
import { VarType, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';
import { KEEPALIVED_CHECK, KEEPALIVED_GLOBAL } from './keepalived-mib.js';
import type { Trap } from './keepalived-traps.js';

export type CheckerChange = Extract<BusMessage, { kind: 'real_server' | 'quorum' }>;

const int = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Integer, value });
const gauge = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Gauge32, value: value >>> 0 });
const str = (oid: Oid, value: string): VarBind => ({ oid, type: VarType.OctetString, value: Buffer.from(value) });
const bytes = (oid: Oid, value: Uint8Array): VarBind => ({ oid, type: VarType.OctetString, value });
const vsCol = (x: number): Oid => [...KEEPALIVED_CHECK, 3, 1, x];
const rsCol = (x: number): Oid => [...KEEPALIVED_CHECK, 4, 1, x];
const inetType = (address: string): number => (isIPv4(address) ? 1 : 2);

export function checkTrapsEnabled(config: Config): boolean {
  return config.globalDefs.enableTraps === true && config.globalDefs.enableSnmpChecker === true;
}

/** The notification of a checker change; undefined when the configuration has no such virtual or real server. */
export function checkerTrap(config: Config, hostname: string, m: CheckerChange): Trap | undefined {
  const position = virtualServerKeys(config.virtualServers).indexOf(m.vs);
  const vs = config.virtualServers[position];
  if (vs === undefined) return undefined;
  const varbinds: VarBind[] = [];
  if (m.kind === 'real_server') {
    const rs = vs.realServers.find((r) => hostPort(r.ip, r.port) === m.rs);
    if (rs === undefined) return undefined;
    varbinds.push(int(rsCol(3), inetType(rs.ip)), bytes(rsCol(4), ipToBytes(rs.ip)), gauge(rsCol(5), rs.port), int(rsCol(6), m.state === 'UP' ? 1 : 2));
  }
  varbinds.push(...virtualServerNaming(vs));
  if (m.kind === 'quorum') varbinds.push(int(vsCol(23), m.stopping ? 3 : m.state === 'UP' ? 1 : 2), gauge(vsCol(22), vs.quorum));
  varbinds.push(gauge(vsCol(21), m.realServersUp), gauge(vsCol(20), vs.realServers.length));
  varbinds.push(str([...KEEPALIVED_GLOBAL, 2, 0], config.globalDefs.routerId ?? hostname));
  return { oid: [...KEEPALIVED_CHECK, 5, 0, m.kind === 'real_server' ? 1 : 2], varbinds };
}

/** virtualServerType, then the group's name, the fwmark, or the address; then virtualServerProtocol. */
function virtualServerNaming(vs: VirtualServer): VarBind[] {
  const a = vs.address;
  const out: VarBind[] = [int(vsCol(2), a.kind === 'group' ? 3 : a.kind === 'fwmark' ? 1 : 2)];
  if (a.kind === 'group') out.push(str(vsCol(3), a.group));
  else if (a.kind === 'fwmark') out.push(gauge(vsCol(4), a.fwmark));
  else out.push(int(vsCol(5), inetType(a.ip)), bytes(vsCol(6), ipToBytes(a.ip)), gauge(vsCol(7), a.port));
  out.push(int(vsCol(8), vs.protocol === 'TCP' ? 1 : 2));
  return out;
}
