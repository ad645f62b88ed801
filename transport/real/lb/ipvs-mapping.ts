/** Desired-state services and destinations → what IPVS stores (keepalived's virtual_server → ip_vs_service). */
import { ipToBytes } from '../../../protocol/ip-bytes.js';
import type { Destination, ForwardingMethod, LbProtocol, SchedulerFlag, TunnelOptions, VirtualService } from '../../../machines/desired-state.js';
import {
  AF_INET,
  AF_INET6,
  IP_VS_CONN_F_DROUTE,
  IP_VS_CONN_F_MASQ,
  IP_VS_CONN_F_TUNNEL,
  IP_VS_CONN_F_TUNNEL_TYPE_GRE,
  IP_VS_CONN_F_TUNNEL_TYPE_GUE,
  IP_VS_CONN_F_TUNNEL_TYPE_IPIP,
  IP_VS_SVC_F_HASHED,
  IP_VS_SVC_F_ONEPACKET,
  IP_VS_SVC_F_PERSISTENT,
  IP_VS_SVC_F_SCHED1,
  IP_VS_SVC_F_SCHED2,
  IP_VS_SVC_F_SCHED3,
  IP_VS_TUNNEL_ENCAP_FLAG_CSUM,
  IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM,
  IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type IpvsDest,
  type IpvsService,
} from '../../../protocol/ipvs-messages.js';
import { isIPv4 } from 'node:net';

export const PROTOCOL_NUMBERS: Readonly<Record<LbProtocol, number>> = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, sctp: IPPROTO_SCTP };

/** lb_kind → IP_VS_CONN_F_* (IP_VS_CONN_F_MASQ is NAT). */
export const FORWARDING_FLAGS: Readonly<Record<ForwardingMethod, number>> = {
  NAT: IP_VS_CONN_F_MASQ,
  DR: IP_VS_CONN_F_DROUTE,
  TUN: IP_VS_CONN_F_TUNNEL,
};

/** keepalived's scheduler flag words → IP_VS_SVC_F_* (check_parser.c lbflags_handler). */
export const SCHEDULER_FLAG_BITS: Readonly<Record<SchedulerFlag, number>> = {
  ops: IP_VS_SVC_F_ONEPACKET,
  'flag-1': IP_VS_SVC_F_SCHED1,
  'flag-2': IP_VS_SVC_F_SCHED2,
  'flag-3': IP_VS_SVC_F_SCHED3,
};

const TUNNEL_TYPES: Readonly<Record<TunnelOptions['type'], number>> = {
  ipip: IP_VS_CONN_F_TUNNEL_TYPE_IPIP,
  gue: IP_VS_CONN_F_TUNNEL_TYPE_GUE,
  gre: IP_VS_CONN_F_TUNNEL_TYPE_GRE,
};

const TUNNEL_CHECKSUMS: Readonly<Record<NonNullable<TunnelOptions['checksum']>, number>> = {
  nocsum: IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM,
  csum: IP_VS_TUNNEL_ENCAP_FLAG_CSUM,
  remcsum: IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM,
};

const maskValue = (dotted: string): number => dotted.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) >>> 0;

export function toIpvsService(service: VirtualService): IpvsService {
  const af = service.family === 4 ? AF_INET : AF_INET6;
  const persistent = service.persistenceTimeout !== undefined;
  // Without persistence_granularity the kernel's defaults: a /32 mask for IPv4, prefix 128 for IPv6
  // (IPv6 services are refused with a netmask outside 1..128).
  const g = service.persistenceGranularity;
  const netmask = af === AF_INET ? (typeof g === 'string' ? maskValue(g) : 0xffffffff) : typeof g === 'number' ? g : 128;
  const flags = (service.schedulerFlags ?? []).reduce((bits, f) => bits | SCHEDULER_FLAG_BITS[f], persistent ? IP_VS_SVC_F_PERSISTENT : 0);
  // keepalived (ipvswrapper.c ipvs_set_srule) names the persistence engine only for a persistent service.
  const pe = persistent ? service.persistenceEngine : undefined;
  const common = {
    af,
    protocol: PROTOCOL_NUMBERS[service.protocol],
    scheduler: service.scheduler,
    flags,
    timeout: service.persistenceTimeout ?? 0,
    netmask,
    ...(pe !== undefined ? { peName: pe } : {}),
  };
  return service.kind === 'fwmark'
    ? { ...common, fwmark: service.fwmark }
    : { ...common, address: ipToBytes(service.address), port: service.port };
}

export function toIpvsDest(dest: Destination, service: VirtualService): IpvsDest {
  return {
    address: ipToBytes(dest.address),
    // Port 0 in an address service means "the service's port" (keepalived real_server without a port).
    port: dest.port === 0 && service.kind === 'address' ? service.port : dest.port,
    af: isIPv4(dest.address) ? AF_INET : AF_INET6,
    fwdMethod: FORWARDING_FLAGS[dest.forwarding],
    weight: dest.weight,
    upperThreshold: dest.upperThreshold ?? 0,
    lowerThreshold: dest.lowerThreshold ?? 0,
    ...(dest.forwarding === 'TUN' ? tunnelFields(dest.tunnel) : {}),
  };
}

/** A TUN destination's tunnel: keepalived sends IPIP (type 0) when no type is given. */
function tunnelFields(t: TunnelOptions | undefined): Pick<IpvsDest, 'tunType' | 'tunPort' | 'tunFlags'> {
  const type = t?.type ?? 'ipip';
  return {
    tunType: TUNNEL_TYPES[type],
    ...(type === 'gue' ? { tunPort: t?.port ?? 0 } : {}),
    ...(type !== 'ipip' ? { tunFlags: TUNNEL_CHECKSUMS[t?.checksum ?? 'nocsum'] } : {}),
  };
}

const hex = (bytes: Uint8Array | undefined): string => (bytes === undefined ? '' : Buffer.from(bytes).toString('hex'));

/** Kernel identity of an IPVS service (AF + fwmark, or AF + protocol + address + port). */
export function ipvsServiceId(s: IpvsService): string {
  return s.fwmark !== undefined && s.fwmark !== 0 ? `${s.af}/fwm/${s.fwmark}` : `${s.af}/${s.protocol}/${hex(s.address)}/${s.port ?? 0}`;
}

export function ipvsDestId(d: Pick<IpvsDest, 'address' | 'port'>): string {
  return `${hex(d.address)}/${d.port}`;
}

/** Whether SET_SERVICE is needed to bring `actual` to `wanted` (the kernel sets IP_VS_SVC_F_HASHED itself). */
export function serviceDiffers(actual: IpvsService, wanted: IpvsService): boolean {
  return (
    actual.scheduler !== wanted.scheduler ||
    (actual.flags & ~IP_VS_SVC_F_HASHED) !== (wanted.flags & ~IP_VS_SVC_F_HASHED) ||
    actual.timeout !== wanted.timeout ||
    actual.netmask !== wanted.netmask ||
    (actual.peName ?? '') !== (wanted.peName ?? '')
  );
}

/** Whether SET_DEST is needed to bring `actual` to `wanted`. */
export function destDiffers(actual: IpvsDest, wanted: IpvsDest): boolean {
  return (
    actual.fwdMethod !== wanted.fwdMethod ||
    actual.weight !== wanted.weight ||
    actual.upperThreshold !== wanted.upperThreshold ||
    actual.lowerThreshold !== wanted.lowerThreshold ||
    // A kernel before 5.3 reports no tunnel attributes: nothing to compare there.
    (actual.tunType !== undefined && (actual.tunType !== wanted.tunType || actual.tunPort !== wanted.tunPort || actual.tunFlags !== wanted.tunFlags))
  );
}
