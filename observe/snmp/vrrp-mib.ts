/**
 * VRRP-MIB (RFC 2787, mib-2 68) as keepalived 2.2.7 serves it with `enable_snmp_rfcv2` (vrrp/vrrp_snmp.c): the
 * VRRPv2 IPv4 instances that have a virtual address, indexed by interface index and VRID; and its
 * vrrpTrapNewMaster. Where keepalived's values differ from the RFC's words, keepalived's are kept (an operator's
 * tooling was written against them): vrrpOperVirtualMacAddr is the MAC of the instance's interface (the source
 * of its advertisements), vrrpOperAuthKey is never readable.
 * One difference is vigil's: keepalived's walk of vrrpOperTable and vrrpRouterStatsTable stops after the first
 * instance (an operator-precedence slip in its table lookup); vigil serves every row.
 */
import { isIPv4 } from 'node:net';
import type { VrrpInstance } from '../../config/model.js';
import type { InstanceStatus } from '../../actors/status.js';
import { VarType, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';
import { basePriority, preempting, type KeepalivedMibSources } from './keepalived-mib.js';

export const VRRP_MIB: Oid = [1, 3, 6, 1, 2, 1, 68];
/** vrrpNotifications: vrrpTrapNewMaster is .1. */
const VRRP_NOTIFICATIONS: Oid = [...VRRP_MIB, 0];

/** What the RFC MIBs need of the host besides KEEPALIVED-MIB's sources. */
export interface RfcMibSources extends KeepalivedMibSources {
  /** The interface's MAC address. */
  readonly ifMac: (name: string) => Uint8Array | undefined;
  /** The interface's primary address of a family (the source of the advertisements). */
  readonly primaryAddress: (name: string, family: 4 | 6) => string | undefined;
  /** sysUpTime (centiseconds) when the instance left INIT, when it has. */
  readonly upSince: (instance: string) => number | undefined;
}

/** keepalived's suitable_for_rfc2787 (built with RFCv3 too): VRRPv2, IPv4, at least one virtual address. */
export function suitableForRfc2787(i: VrrpInstance): boolean {
  return i.version === 2 && i.family === 4 && i.virtualIpAddresses.length > 0;
}

/** VrrpOperState: initialize(1), backup(2), master(3); keepalived's state + 1, anything else initialize. */
export function rfcState(state: InstanceStatus['state'] | undefined): number {
  return state === 'BACKUP' ? 2 : state === 'MASTER' ? 3 : 1;
}

const int = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Integer, value });
const counter = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Counter32, value: value >>> 0 });
const ipAddress = (oid: Oid, address: string | undefined): VarBind => ({
  oid,
  type: VarType.IpAddress,
  value: address !== undefined && isIPv4(address) ? ipToBytes(address) : new Uint8Array(4),
});

/** The per-instance error counters keepalived keeps, from vigil's drops by reason. */
export function rfcCounters(s: InstanceStatus | undefined): Record<string, number> {
  const d = s?.counters.drops ?? {};
  const n = (k: keyof typeof d): number => d[k] ?? 0;
  return {
    becomeMaster: s?.counters.become_master ?? 0,
    advertRcvd: s?.counters.adverts_received ?? 0,
    advertIntervalErr: n('interval'),
    authFailure: n('auth') + n('auth_replay'),
    ipTtlErr: n('ttl'),
    priZeroRcvd: s?.counters.priority_zero_received ?? 0,
    priZeroSent: s?.counters.priority_zero_sent ?? 0,
    invalidTypeRcvd: n('type'),
    addrListErr: s?.counters.address_list_errors ?? 0,
    // vigil tells an authentication type it does not expect in one reason (keepalived's authtype_mismatch); an
    // invalid type is one of those.
    invalidAuthtype: 0,
    authtypeMismatch: n('auth_type'),
    packetLenErr: n('length'),
    chkErr: n('checksum'),
    versErr: n('version'),
    vridErr: n('vrid'),
  };
}

export function vrrpMibObjects(src: RfcMibSources): VarBind[] {
  const g = src.config.globalDefs;
  const out: VarBind[] = [int([...VRRP_MIB, 1, 1, 0], 2), int([...VRRP_MIB, 1, 2, 0], g.enableTraps ? 1 : 2)];
  const statusOf = new Map(src.status.instances.map((i) => [i.name, i]));
  const rows = src.config.vrrpInstances.filter(suitableForRfc2787);
  const totals = { chkErr: 0, versErr: 0, vridErr: 0 };
  for (const inst of rows) {
    const s = statusOf.get(inst.name);
    const index = [src.ifIndex(inst.interface) ?? 0, inst.virtualRouterId];
    const oper = (c: number): Oid => [...VRRP_MIB, 1, 3, 1, c, ...index];
    const mac = src.ifMac(inst.interface);
    if (mac !== undefined) out.push({ oid: oper(2), type: VarType.OctetString, value: mac });
    out.push(int(oper(3), rfcState(s?.state)), int(oper(4), 1), int(oper(5), basePriority(inst, s)), int(oper(6), inst.virtualIpAddresses.length));
    out.push(ipAddress(oper(7), s?.state === 'MASTER' ? undefined : (s?.master_address ?? undefined)));
    out.push(ipAddress(oper(8), src.primaryAddress(inst.interface, 4)));
    out.push(int(oper(9), inst.authentication === undefined ? 1 : inst.authentication.type === 'PASS' ? 2 : 3));
    out.push(int(oper(11), Math.floor(inst.advertInt)), int(oper(12), preempting(inst, src) ? 1 : 2));
    const up = s?.state === 'BACKUP' || s?.state === 'MASTER' ? (src.upSince(inst.name) ?? 0) : 0;
    out.push({ oid: oper(13), type: VarType.TimeTicks, value: up }, int(oper(14), 1), int(oper(15), 1));
    for (const a of inst.virtualIpAddresses) if (isIPv4(a.address)) out.push(int([...VRRP_MIB, 1, 4, 1, 2, ...index, ...a.address.split('.').map(Number)], 1));
    const c = rfcCounters(s);
    const stat = (col: number): Oid => [...VRRP_MIB, 2, 4, 1, col, ...index];
    const columns = [c.becomeMaster, c.advertRcvd, c.advertIntervalErr, c.authFailure, c.ipTtlErr, c.priZeroRcvd, c.priZeroSent, c.invalidTypeRcvd, c.addrListErr, c.invalidAuthtype, c.authtypeMismatch, c.packetLenErr];
    columns.forEach((v, k) => out.push(counter(stat(k + 1), v ?? 0)));
    totals.chkErr += c.chkErr ?? 0;
    totals.versErr += c.versErr ?? 0;
    totals.vridErr += c.vridErr ?? 0;
  }
  out.push(counter([...VRRP_MIB, 2, 1, 0], totals.chkErr), counter([...VRRP_MIB, 2, 2, 0], totals.versErr), counter([...VRRP_MIB, 2, 3, 0], totals.vridErr));
  return out;
}

/** vrrpTrapNewMaster: the new master's own address as vrrpOperMasterIpAddr (keepalived sends its saddr). */
export function newMasterTrap(src: RfcMibSources, instance: string): { oid: Oid; varbinds: VarBind[] } | undefined {
  const inst = src.config.vrrpInstances.find((i) => i.name === instance);
  if (inst === undefined || !suitableForRfc2787(inst)) return undefined;
  const index = [src.ifIndex(inst.interface) ?? 0, inst.virtualRouterId];
  const source = inst.unicastSrcIp ?? inst.mcastSrcIp ?? src.primaryAddress(inst.interface, 4);
  return { oid: [...VRRP_NOTIFICATIONS, 1], varbinds: [ipAddress([...VRRP_MIB, 1, 3, 1, 7, ...index], source)] };
}
