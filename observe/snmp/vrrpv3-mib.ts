/**
 * VRRPV3-MIB (RFC 6527, mib-2 207) as keepalived 2.2.7 serves it with `enable_snmp_rfcv3` (vrrp/vrrp_snmp.c):
 * vrrpv3OperationsTable, vrrpv3AssociatedIpAddrTable, vrrpv3Statistics and vrrpv3StatisticsTable, indexed by
 * interface index, VRID and InetAddressType; and its vrrpv3NewMaster and vrrpv3ProtoError notifications.
 * Debian's build answers for VRRPv2 instances too (_SNMP_REPLY_V3_FOR_V2_): every instance with a virtual
 * address has its rows. Where keepalived's values differ from the RFC's words, keepalived's are kept:
 * vrrpv3OperationsVirtualMacAddr is the MAC of the instance's interface, the master's and primary addresses are
 * raw OCTET STRINGs (4 or 16 bytes, the IPv6 one the interface's link-local address), an associated address's
 * index has no length octet, and vrrpv3StatisticsNewMasterReason stays after the instance leaves MASTER.
 */
import { isIPv4 } from 'node:net';
import type { VrrpInstance } from '../../config/model.js';
import type { MasterReason } from '../../machines/vrrp-instance.js';
import { VarType, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';
import { rfcCounters, rfcState, type RfcMibSources } from './vrrp-mib.js';
import { basePriority, preempting } from './keepalived-mib.js';
import type { DropReason } from '../../protocol/vrrp-types.js';

export const VRRPV3_MIB: Oid = [1, 3, 6, 1, 2, 1, 207];

/** What the RFC 6527 MIB needs besides the RFC 2787 sources: why each instance last became master. */
export interface Rfc6527Sources extends RfcMibSources {
  readonly masterReason: (instance: string) => MasterReason | undefined;
  /** The last protocol error (TTL, version, checksum) of a received advertisement, keepalived's proto_err_reason. */
  readonly protoError: (instance: string) => DropReason | undefined;
}

/** keepalived's suitable_for_rfc6527 (built with _SNMP_REPLY_V3_FOR_V2_): any instance with a virtual address. */
export function suitableForRfc6527(i: VrrpInstance): boolean {
  return i.virtualIpAddresses.length > 0;
}

/** vrrpv3StatisticsNewMasterReason's values (keepalived's rfcv3_master_reason_type). */
export const MASTER_REASON: Record<MasterReason, number> = { notMaster: 0, priority: 1, preempted: 2, masterNoResponse: 3 };

/** vrrpv3StatisticsProtoErrReason for the drops keepalived tells by vrrpv3ProtoError (vrrp.c). */
export const PROTO_ERROR: Partial<Record<DropReason, number>> = { ttl: 1, version: 2, checksum: 3 };

const int = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Integer, value });
const gauge = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Gauge32, value: value >>> 0 });
const counter = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Counter32, value: value >>> 0 });
const counter64 = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Counter64, value: BigInt(value) });
const ticks = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.TimeTicks, value: value >>> 0 });
const octets = (oid: Oid, value: Uint8Array): VarBind => ({ oid, type: VarType.OctetString, value });
const truth = (v: boolean): number => (v ? 1 : 2);

/** An address as keepalived's in_addr / in6_addr bytes; all zeros (of the family) when unknown. */
function addressBytes(address: string | undefined, family: 4 | 6): Uint8Array {
  if (address === undefined || isIPv4(address) !== (family === 4)) return new Uint8Array(family === 4 ? 4 : 16);
  return ipToBytes(address);
}

/** The row index: ifIndex, VRID, InetAddressType (ipv4(1), ipv6(2)). */
export function rfc6527Index(src: RfcMibSources, inst: VrrpInstance): number[] {
  return [src.ifIndex(inst.interface) ?? 0, inst.virtualRouterId, inst.family === 4 ? 1 : 2];
}

export function vrrpv3MibObjects(src: Rfc6527Sources): VarBind[] {
  const out: VarBind[] = [];
  const statusOf = new Map(src.status.instances.map((i) => [i.name, i]));
  const totals = { chkErr: 0, versErr: 0, vridErr: 0 };
  for (const inst of src.config.vrrpInstances.filter(suitableForRfc6527)) {
    const s = statusOf.get(inst.name);
    const index = rfc6527Index(src, inst);
    const oper = (c: number): Oid => [...VRRPV3_MIB, 1, 1, 1, 1, c, ...index];
    const primary = src.primaryAddress(inst.interface, inst.family);
    // The master's address; a master's own is its interface's primary address.
    const master = s?.state === 'MASTER' ? primary : (s?.master_address ?? undefined);
    out.push(octets(oper(3), addressBytes(master, inst.family)), octets(oper(4), addressBytes(primary, inst.family)));
    const mac = src.ifMac(inst.interface);
    if (mac !== undefined) out.push(octets(oper(5), mac));
    out.push(int(oper(6), rfcState(s?.state)), gauge(oper(7), basePriority(inst, s)), int(oper(8), inst.virtualIpAddresses.length));
    out.push(int(oper(9), inst.advertIntervalCs), int(oper(10), truth(preempting(inst, src))), int(oper(11), truth(inst.accept)));
    const up = s?.state === 'BACKUP' || s?.state === 'MASTER' ? (src.upSince(inst.name) ?? 0) : 0;
    out.push(ticks(oper(12), up), int(oper(13), 1));
    for (const a of inst.virtualIpAddresses) {
      if (isIPv4(a.address) !== (inst.family === 4)) continue;
      out.push(int([...VRRPV3_MIB, 1, 1, 2, 1, 2, ...index, ...ipToBytes(a.address)], 1));
    }
    const c = rfcCounters(s);
    const stat = (col: number): Oid => [...VRRPV3_MIB, 1, 2, 5, 1, col, ...index];
    out.push(counter(stat(1), c.becomeMaster ?? 0), int(stat(2), MASTER_REASON[src.masterReason(inst.name) ?? 'notMaster']));
    out.push(counter64(stat(3), c.advertRcvd ?? 0), counter64(stat(4), c.advertIntervalErr ?? 0), counter64(stat(5), c.ipTtlErr ?? 0));
    const protoError = src.protoError(inst.name);
    // noError(0) until one happens.
    out.push(int(stat(6), protoError === undefined ? 0 : (PROTO_ERROR[protoError] ?? 0)));
    const rest = [c.priZeroRcvd, c.priZeroSent, c.invalidTypeRcvd, c.addrListErr, c.packetLenErr];
    rest.forEach((v, k) => out.push(counter64(stat(7 + k), v ?? 0)));
    // No discontinuities; the refresh rate is the advertisement interval in milliseconds.
    out.push(ticks(stat(12), 0), gauge(stat(13), inst.advertIntervalCs * 10));
    totals.chkErr += c.chkErr ?? 0;
    totals.versErr += c.versErr ?? 0;
    totals.vridErr += c.vridErr ?? 0;
  }
  const st = (n: number): Oid => [...VRRPV3_MIB, 1, 2, n, 0];
  out.push(counter64(st(1), totals.chkErr), counter64(st(2), totals.versErr), counter64(st(3), totals.vridErr), ticks(st(4), 0));
  return out;
}

/** vrrpv3NewMaster: the new master's own address (keepalived sends its saddr) and why it became master. */
export function v3NewMasterTrap(src: RfcMibSources, instance: string, reason: MasterReason): { oid: Oid; varbinds: VarBind[] } | undefined {
  const inst = src.config.vrrpInstances.find((i) => i.name === instance);
  if (inst === undefined || !suitableForRfc6527(inst)) return undefined;
  const index = rfc6527Index(src, inst);
  const source = inst.unicastSrcIp ?? inst.mcastSrcIp ?? src.primaryAddress(inst.interface, inst.family);
  return {
    oid: [...VRRPV3_MIB, 0, 1],
    varbinds: [octets([...VRRPV3_MIB, 1, 1, 1, 1, 3, ...index], addressBytes(source, inst.family)), int([...VRRPV3_MIB, 1, 2, 5, 1, 2, ...index], MASTER_REASON[reason])],
  };
}

/** vrrpv3ProtoError: a received advertisement failed the TTL, version or checksum check (keepalived vrrp.c). */
export function v3ProtoErrorTrap(src: RfcMibSources, instance: string, reason: DropReason): { oid: Oid; varbinds: VarBind[] } | undefined {
  const code = PROTO_ERROR[reason];
  const inst = src.config.vrrpInstances.find((i) => i.name === instance);
  if (code === undefined || inst === undefined || !suitableForRfc6527(inst)) return undefined;
  return { oid: [...VRRPV3_MIB, 0, 2], varbinds: [int([...VRRPV3_MIB, 1, 2, 5, 1, 6, ...rfc6527Index(src, inst)], code)] };
}
