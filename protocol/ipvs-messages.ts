/**
 * IPVS generic-netlink messages (family "IPVS", version 1), with the attribute numbering of the kernel's
 * include/uapi/linux/ip_vs.h. Services and destinations travel as nested attributes IPVS_CMD_ATTR_SERVICE and
 * IPVS_CMD_ATTR_DEST. Addresses are always 16 bytes (union nf_inet_addr), ports big-endian, other integers host
 * order; the IPv4 persistence netmask is a __be32, the IPv6 one a prefix length.
 */
import {
  attr,
  attributeMap,
  be16,
  be32,
  cstring,
  genlMessage,
  nested,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  parseGenl,
  readBe16,
  readBe32,
  readCString,
  readU16,
  readU32,
  u8,
  u16,
  u32,
  type NetlinkReply,
} from './genl.js';

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

export const IPVS_CMD_ATTR = { SERVICE: 1, DEST: 2, DAEMON: 3, TIMEOUT_TCP: 4, TIMEOUT_TCP_FIN: 5, TIMEOUT_UDP: 6 } as const;

export const IPVS_SVC_ATTR = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

export const IPVS_DEST_ATTR = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

/** IP_VS_SVC_F_* (SCHED1..3 mean what the scheduler says: sh and mh read SCHED1 as fallback, SCHED2 as port). */
export const IP_VS_SVC_F_PERSISTENT = 0x0001;
export const IP_VS_SVC_F_HASHED = 0x0002;
export const IP_VS_SVC_F_ONEPACKET = 0x0004;
export const IP_VS_SVC_F_SCHED1 = 0x0008;
export const IP_VS_SVC_F_SCHED2 = 0x0010;
export const IP_VS_SVC_F_SCHED3 = 0x0020;
/** IP_VS_CONN_F_* forwarding methods (IP_VS_CONN_F_FWD_MASK = 7). */
export const IP_VS_CONN_F_MASQ = 0x0000;
export const IP_VS_CONN_F_TUNNEL = 0x0002;
export const IP_VS_CONN_F_DROUTE = 0x0003;
export const IP_VS_CONN_F_FWD_MASK = 0x0007;
export const IP_VS_SCHEDNAME_MAXLEN = 16;
export const IP_VS_PENAME_MAXLEN = 16;
/** IP_VS_CONN_F_TUNNEL_TYPE_* (IPVS_DEST_ATTR_TUN_TYPE, a u8). */
export const IP_VS_CONN_F_TUNNEL_TYPE_IPIP = 0;
export const IP_VS_CONN_F_TUNNEL_TYPE_GUE = 1;
export const IP_VS_CONN_F_TUNNEL_TYPE_GRE = 2;
/** IP_VS_TUNNEL_ENCAP_FLAG_* (IPVS_DEST_ATTR_TUN_FLAGS, a u16). */
export const IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM = 0;
export const IP_VS_TUNNEL_ENCAP_FLAG_CSUM = 1;
export const IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM = 2;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

/** A service as IPVS sees it. `address` is 4 or 16 bytes (sent padded to 16). */
export interface IpvsService {
  readonly af: number;
  readonly protocol: number;
  readonly address?: Uint8Array;
  readonly port?: number;
  /** Non-zero: a fwmark service (then address/port/protocol are not sent). */
  readonly fwmark?: number;
  readonly scheduler: string;
  readonly flags: number;
  /** Persistence timeout in seconds (0 = none). */
  readonly timeout: number;
  /** IPv4: the mask as a number (0xffffff00); IPv6: the prefix length. */
  readonly netmask: number;
  /** Persistence engine (keepalived `persistence_engine`, e.g. sip): IPVS_SVC_ATTR_PE_NAME, absent = none. */
  readonly peName?: string;
}

export interface IpvsDest {
  readonly address: Uint8Array;
  readonly port: number;
  /** Address family of the destination (IPVS_DEST_ATTR_ADDR_FAMILY); it may differ from the service's for TUN. */
  readonly af: number;
  readonly fwdMethod: number;
  readonly weight: number;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  /**
   * TUN only: IP_VS_CONN_F_TUNNEL_TYPE_* (keepalived `type ipip|gue|gre`), the GUE port and the
   * IP_VS_TUNNEL_ENCAP_FLAG_* checksum flags. Sent as keepalived does: the type for every TUN destination, the
   * port for GUE, the flags for GUE and GRE.
   */
  readonly tunType?: number;
  readonly tunPort?: number;
  readonly tunFlags?: number;
}

export type IpvsDestId = Pick<IpvsDest, 'address' | 'port' | 'af'>;

/** Request framing: the resolved family id and the sequence number. */
export interface IpvsFraming {
  readonly familyId: number;
  readonly seq: number;
}

function address16(address: Uint8Array): Uint8Array {
  if (address.length !== 4 && address.length !== 16) throw new Error(`IPVS address of ${address.length} bytes`);
  const out = new Uint8Array(16);
  out.set(address);
  return out;
}

/** The identifying attributes: AF, then FWMARK, or PROTOCOL + ADDR + PORT (what the kernel looks a service up by). */
function serviceIdAttrs(service: IpvsService): Uint8Array[] {
  const out = [attr(IPVS_SVC_ATTR.AF, u16(service.af))];
  if (service.fwmark !== undefined && service.fwmark !== 0) {
    out.push(attr(IPVS_SVC_ATTR.FWMARK, u32(service.fwmark)));
  } else {
    if (service.address === undefined || service.port === undefined) throw new Error('IPVS service needs an address and port, or a fwmark');
    out.push(
      attr(IPVS_SVC_ATTR.PROTOCOL, u16(service.protocol)),
      attr(IPVS_SVC_ATTR.ADDR, address16(service.address)),
      attr(IPVS_SVC_ATTR.PORT, be16(service.port)),
    );
  }
  return out;
}

/**
 * Identity plus SCHED_NAME, PE_NAME (when there is an engine), FLAGS (struct ip_vs_flags {flags, mask = ~0}),
 * TIMEOUT, NETMASK: a full entry.
 */
function serviceFullAttrs(service: IpvsService): Uint8Array[] {
  if (service.scheduler.length === 0 || service.scheduler.length >= IP_VS_SCHEDNAME_MAXLEN) throw new Error(`bad scheduler name ${service.scheduler}`);
  const pe = service.peName;
  if (pe !== undefined && (pe.length === 0 || pe.length >= IP_VS_PENAME_MAXLEN)) throw new Error(`bad persistence engine name ${pe}`);
  const netmask = service.af === AF_INET ? be32(service.netmask) : u32(service.netmask);
  return [
    ...serviceIdAttrs(service),
    attr(IPVS_SVC_ATTR.SCHED_NAME, cstring(service.scheduler)),
    ...(pe !== undefined ? [attr(IPVS_SVC_ATTR.PE_NAME, cstring(pe))] : []),
    attr(IPVS_SVC_ATTR.FLAGS, Uint8Array.of(...u32(service.flags), ...u32(0xffffffff))),
    attr(IPVS_SVC_ATTR.TIMEOUT, u32(service.timeout)),
    attr(IPVS_SVC_ATTR.NETMASK, netmask),
  ];
}

function destIdAttrs(dest: IpvsDestId): Uint8Array[] {
  return [attr(IPVS_DEST_ATTR.ADDR, address16(dest.address)), attr(IPVS_DEST_ATTR.PORT, be16(dest.port))];
}

function destFullAttrs(dest: IpvsDest): Uint8Array[] {
  return [
    ...destIdAttrs(dest),
    attr(IPVS_DEST_ATTR.FWD_METHOD, u32(dest.fwdMethod & IP_VS_CONN_F_FWD_MASK)),
    attr(IPVS_DEST_ATTR.WEIGHT, u32(dest.weight)),
    attr(IPVS_DEST_ATTR.U_THRESH, u32(dest.upperThreshold)),
    attr(IPVS_DEST_ATTR.L_THRESH, u32(dest.lowerThreshold)),
    attr(IPVS_DEST_ATTR.ADDR_FAMILY, u16(dest.af)),
    ...tunnelAttrs(dest),
  ];
}

/** keepalived's rule (libipvs fill_dest): TUN_TYPE for a TUN destination, TUN_PORT for GUE, TUN_FLAGS unless IPIP. */
function tunnelAttrs(dest: IpvsDest): Uint8Array[] {
  if ((dest.fwdMethod & IP_VS_CONN_F_FWD_MASK) !== IP_VS_CONN_F_TUNNEL || dest.tunType === undefined) return [];
  const out = [attr(IPVS_DEST_ATTR.TUN_TYPE, u8(dest.tunType))];
  // The kernel reads the port with nla_get_be16.
  if (dest.tunType === IP_VS_CONN_F_TUNNEL_TYPE_GUE) out.push(attr(IPVS_DEST_ATTR.TUN_PORT, be16(dest.tunPort ?? 0)));
  if (dest.tunType !== IP_VS_CONN_F_TUNNEL_TYPE_IPIP) out.push(attr(IPVS_DEST_ATTR.TUN_FLAGS, u16(dest.tunFlags ?? IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM)));
  return out;
}

/** One IPVS generic-netlink request (service, destination, daemon or config command). */
export const ipvsRequest = (framing: IpvsFraming, cmd: number, flags: number, attrs: readonly Uint8Array[]): Uint8Array =>
  genlMessage({ familyId: framing.familyId, cmd, version: IPVS_GENL_VERSION, flags, seq: framing.seq }, attrs);

/** A change the kernel answers with an ack (or an error). */
export const IPVS_ACKED = NLM_F_REQUEST | NLM_F_ACK;

export function newServiceMessage(framing: IpvsFraming, service: IpvsService): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.NEW_SERVICE, IPVS_ACKED, [nested(IPVS_CMD_ATTR.SERVICE, serviceFullAttrs(service))]);
}

export function setServiceMessage(framing: IpvsFraming, service: IpvsService): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.SET_SERVICE, IPVS_ACKED, [nested(IPVS_CMD_ATTR.SERVICE, serviceFullAttrs(service))]);
}

export function delServiceMessage(framing: IpvsFraming, service: IpvsService): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.DEL_SERVICE, IPVS_ACKED, [nested(IPVS_CMD_ATTR.SERVICE, serviceIdAttrs(service))]);
}

export function newDestMessage(framing: IpvsFraming, service: IpvsService, dest: IpvsDest): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.NEW_DEST, IPVS_ACKED, [
    nested(IPVS_CMD_ATTR.SERVICE, serviceIdAttrs(service)),
    nested(IPVS_CMD_ATTR.DEST, destFullAttrs(dest)),
  ]);
}

export function setDestMessage(framing: IpvsFraming, service: IpvsService, dest: IpvsDest): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.SET_DEST, IPVS_ACKED, [
    nested(IPVS_CMD_ATTR.SERVICE, serviceIdAttrs(service)),
    nested(IPVS_CMD_ATTR.DEST, destFullAttrs(dest)),
  ]);
}

export function delDestMessage(framing: IpvsFraming, service: IpvsService, dest: IpvsDestId): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.DEL_DEST, IPVS_ACKED, [
    nested(IPVS_CMD_ATTR.SERVICE, serviceIdAttrs(service)),
    nested(IPVS_CMD_ATTR.DEST, [...destIdAttrs(dest), attr(IPVS_DEST_ATTR.ADDR_FAMILY, u16(dest.af))]),
  ]);
}

/** Dump of every service (NLM_F_DUMP, no attributes). */
export function getServicesMessage(framing: IpvsFraming): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.GET_SERVICE, NLM_F_REQUEST | NLM_F_DUMP, []);
}

/** Dump of one service's destinations. */
export function getDestsMessage(framing: IpvsFraming, service: IpvsService): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.GET_DEST, NLM_F_REQUEST | NLM_F_DUMP, [nested(IPVS_CMD_ATTR.SERVICE, serviceIdAttrs(service))]);
}

/** Removes every service and destination (ipvsadm -C); vigil never sends it for a running daemon. */
export function flushMessage(framing: IpvsFraming): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.FLUSH, IPVS_ACKED, []);
}

/** Trims a 16-byte nf_inet_addr to 4 bytes for IPv4. */
function addressOf(af: number, bytes: Uint8Array | undefined): Uint8Array | undefined {
  if (bytes === undefined) return undefined;
  return Uint8Array.from(af === AF_INET ? bytes.subarray(0, 4) : bytes.subarray(0, 16));
}

/** The service in a message's IPVS_CMD_ATTR_SERVICE (a GET_SERVICE reply, or a request when testing). */
export function decodeService(attrs: Uint8Array): IpvsService {
  const a = attributeMap(attrs);
  const get = (t: number): Uint8Array | undefined => a.get(t);
  const afBytes = get(IPVS_SVC_ATTR.AF);
  if (afBytes === undefined) throw new Error('IPVS service without IPVS_SVC_ATTR_AF');
  const af = readU16(afBytes);
  const fwmark = get(IPVS_SVC_ATTR.FWMARK);
  const protocol = get(IPVS_SVC_ATTR.PROTOCOL);
  const port = get(IPVS_SVC_ATTR.PORT);
  const sched = get(IPVS_SVC_ATTR.SCHED_NAME);
  const flags = get(IPVS_SVC_ATTR.FLAGS);
  const timeout = get(IPVS_SVC_ATTR.TIMEOUT);
  const netmask = get(IPVS_SVC_ATTR.NETMASK);
  const address = addressOf(af, get(IPVS_SVC_ATTR.ADDR));
  const pe = get(IPVS_SVC_ATTR.PE_NAME);
  const fw = fwmark === undefined ? 0 : readU32(fwmark);
  return {
    af,
    protocol: protocol === undefined ? 0 : readU16(protocol),
    ...(address !== undefined && fw === 0 ? { address } : {}),
    ...(port !== undefined && fw === 0 ? { port: readBe16(port) } : {}),
    ...(fw !== 0 ? { fwmark: fw } : {}),
    scheduler: sched === undefined ? '' : readCString(sched),
    flags: flags === undefined ? 0 : readU32(flags),
    timeout: timeout === undefined ? 0 : readU32(timeout),
    netmask: netmask === undefined ? 0 : af === AF_INET ? readBe32(netmask) : readU32(netmask),
    ...(pe !== undefined ? { peName: readCString(pe) } : {}),
  };
}

export function decodeDest(attrs: Uint8Array, serviceAf: number): IpvsDest {
  const a = attributeMap(attrs);
  const family = a.get(IPVS_DEST_ATTR.ADDR_FAMILY);
  const af = family === undefined ? serviceAf : readU16(family);
  const address = addressOf(af, a.get(IPVS_DEST_ATTR.ADDR));
  const port = a.get(IPVS_DEST_ATTR.PORT);
  if (address === undefined || port === undefined) throw new Error('IPVS destination without address or port');
  const num = (t: number): number => {
    const v = a.get(t);
    return v === undefined ? 0 : readU32(v);
  };
  const fwdMethod = num(IPVS_DEST_ATTR.FWD_METHOD) & IP_VS_CONN_F_FWD_MASK;
  const tunType = a.get(IPVS_DEST_ATTR.TUN_TYPE);
  const tunPort = a.get(IPVS_DEST_ATTR.TUN_PORT);
  const tunFlags = a.get(IPVS_DEST_ATTR.TUN_FLAGS);
  // The kernel reports the tunnel attributes of every destination (zeros for non-TUN): only TUN's mean anything.
  const tunnel = fwdMethod === IP_VS_CONN_F_TUNNEL && tunType !== undefined;
  return {
    address,
    port: readBe16(port),
    af,
    fwdMethod,
    weight: num(IPVS_DEST_ATTR.WEIGHT),
    upperThreshold: num(IPVS_DEST_ATTR.U_THRESH),
    lowerThreshold: num(IPVS_DEST_ATTR.L_THRESH),
    ...(tunnel ? { tunType: tunType[0]! } : {}),
    ...(tunnel && tunPort !== undefined && tunType[0] === IP_VS_CONN_F_TUNNEL_TYPE_GUE ? { tunPort: readBe16(tunPort) } : {}),
    ...(tunnel && tunFlags !== undefined && tunType[0] !== IP_VS_CONN_F_TUNNEL_TYPE_IPIP ? { tunFlags: readU16(tunFlags) } : {}),
  };
}

/** A decoded IPVS message (request or reply): its command and nested service / destination. */
export interface IpvsMessage {
  readonly cmd: number;
  readonly service?: IpvsService;
  readonly dest?: IpvsDest;
}

export function decodeIpvsMessage(reply: NetlinkReply): IpvsMessage {
  const genl = parseGenl(reply.payload);
  const top = attributeMap(genl.attrs);
  const svc = top.get(IPVS_CMD_ATTR.SERVICE);
  const dst = top.get(IPVS_CMD_ATTR.DEST);
  const service = svc === undefined ? undefined : decodeService(svc);
  const af = service?.af ?? AF_INET;
  return { cmd: genl.cmd, ...(service !== undefined ? { service } : {}), ...(dst !== undefined ? { dest: decodeDest(dst, af) } : {}) };
}
