/**
 * IPVS generic-netlink messages that are not about one service: the connection timeouts (IPVS_CMD_SET_CONFIG /
 * GET_CONFIG, keepalived `lvs_timeouts`) and the connection synchronisation daemon (IPVS_CMD_NEW_DAEMON /
 * DEL_DAEMON / GET_DAEMON, keepalived `lvs_sync_daemon`). Attribute numbers and types are those of the kernel's
 * include/uapi/linux/ip_vs.h and of ip_vs_ctl.c's policies: the daemon's state and sync id are u32, the interface
 * a NUL-terminated string of at most 15 characters, maxlen and port u16 in host order, TTL a u8, the IPv4 group
 * a __be32, the IPv6 group 16 bytes.
 */
import {
  attr,
  attributeMap,
  cstring,
  nested,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  parseGenl,
  readCString,
  readU16,
  readU32,
  u8,
  u16,
  u32,
  type NetlinkReply,
} from './genl.js';
import { IPVS_ACKED, IPVS_CMD, IPVS_CMD_ATTR, ipvsRequest, type IpvsFraming } from './ipvs-messages.js';

export const IPVS_DAEMON_ATTR = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;

/** IP_VS_STATE_*: a sync daemon runs as master (sends) or backup (receives); both may run at once. */
export const IP_VS_STATE_MASTER = 0x0001;
export const IP_VS_STATE_BACKUP = 0x0002;
export const IP_VS_IFNAME_MAXLEN = 16;

/** Connection timeouts in seconds (struct ip_vs_timeout_user); the kernel keeps a timeout not sent. */
export interface IpvsTimeouts {
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

/** A sync daemon as IPVS_CMD_NEW_DAEMON starts it (and as GET_DAEMON reports it). */
export interface IpvsDaemon {
  readonly state: typeof IP_VS_STATE_MASTER | typeof IP_VS_STATE_BACKUP;
  /** The multicast interface (keepalived lvs_sync_daemon INTERFACE). */
  readonly interface: string;
  readonly syncId: number;
  /** Optional attributes: absent (or 0) lets the kernel choose (its defaults: port 8848, TTL 1, 224.0.0.81). */
  readonly maxlen?: number;
  readonly port?: number;
  readonly ttl?: number;
  /** 4 bytes (IPv4) or 16 bytes (IPv6). */
  readonly group?: Uint8Array;
}

/** IPVS_CMD_SET_CONFIG with all three timeouts, as keepalived sends it (the ones not configured at their old value). */
export function setTimeoutsMessage(framing: IpvsFraming, t: IpvsTimeouts): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.SET_CONFIG, IPVS_ACKED, [
    attr(IPVS_CMD_ATTR.TIMEOUT_TCP, u32(t.tcp)),
    attr(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, u32(t.tcpFin)),
    attr(IPVS_CMD_ATTR.TIMEOUT_UDP, u32(t.udp)),
  ]);
}

/** IPVS_CMD_GET_CONFIG: the kernel answers with one message holding the three timeouts. */
export function getTimeoutsMessage(framing: IpvsFraming): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.GET_CONFIG, NLM_F_REQUEST, []);
}

/** The timeouts of a GET_CONFIG reply (or of a SET_CONFIG request, when testing). */
export function decodeTimeouts(reply: NetlinkReply): IpvsTimeouts {
  const a = attributeMap(parseGenl(reply.payload).attrs);
  const get = (t: number): number => {
    const v = a.get(t);
    if (v === undefined) throw new Error(`IPVS config without attribute ${t}`);
    return readU32(v);
  };
  return { tcp: get(IPVS_CMD_ATTR.TIMEOUT_TCP), tcpFin: get(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN), udp: get(IPVS_CMD_ATTR.TIMEOUT_UDP) };
}

/**
 * IPVS_CMD_NEW_DAEMON: state, interface and sync id always; maxlen, port, TTL and group only when set (keepalived
 * ipvs_start_daemon). The kernel requires the first three (EINVAL otherwise).
 */
export function newDaemonMessage(framing: IpvsFraming, d: IpvsDaemon): Uint8Array {
  if (d.interface.length === 0 || d.interface.length >= IP_VS_IFNAME_MAXLEN) throw new Error(`bad sync daemon interface ${d.interface}`);
  const attrs = [
    attr(IPVS_DAEMON_ATTR.STATE, u32(d.state)),
    attr(IPVS_DAEMON_ATTR.MCAST_IFN, cstring(d.interface)),
    attr(IPVS_DAEMON_ATTR.SYNC_ID, u32(d.syncId)),
  ];
  if (d.maxlen) attrs.push(attr(IPVS_DAEMON_ATTR.SYNC_MAXLEN, u16(d.maxlen)));
  if (d.port) attrs.push(attr(IPVS_DAEMON_ATTR.MCAST_PORT, u16(d.port)));
  if (d.ttl) attrs.push(attr(IPVS_DAEMON_ATTR.MCAST_TTL, u8(d.ttl)));
  if (d.group !== undefined) {
    if (d.group.length === 16) attrs.push(attr(IPVS_DAEMON_ATTR.MCAST_GROUP6, d.group));
    else if (d.group.length === 4) attrs.push(attr(IPVS_DAEMON_ATTR.MCAST_GROUP, d.group));
    else throw new Error(`sync daemon group of ${d.group.length} bytes`);
  }
  return ipvsRequest(framing, IPVS_CMD.NEW_DAEMON, IPVS_ACKED, [nested(IPVS_CMD_ATTR.DAEMON, attrs)]);
}

/** IPVS_CMD_DEL_DAEMON: the state to stop, and the sync id (keepalived sends it; the kernel reads only the state). */
export function delDaemonMessage(framing: IpvsFraming, state: IpvsDaemon['state'], syncId: number): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.DEL_DAEMON, IPVS_ACKED, [
    nested(IPVS_CMD_ATTR.DAEMON, [attr(IPVS_DAEMON_ATTR.STATE, u32(state)), attr(IPVS_DAEMON_ATTR.SYNC_ID, u32(syncId))]),
  ]);
}

/** IPVS_CMD_GET_DAEMON: a dump of the running daemons (master, backup), each an IPVS_CMD_NEW_DAEMON message. */
export function getDaemonsMessage(framing: IpvsFraming): Uint8Array {
  return ipvsRequest(framing, IPVS_CMD.GET_DAEMON, NLM_F_REQUEST | NLM_F_DUMP, []);
}

/** The daemon in a message's IPVS_CMD_ATTR_DAEMON (a GET_DAEMON reply part, or a NEW/DEL_DAEMON request). */
export function decodeDaemon(reply: NetlinkReply): { readonly cmd: number; readonly daemon: Partial<IpvsDaemon> } {
  const genl = parseGenl(reply.payload);
  const nest = attributeMap(genl.attrs).get(IPVS_CMD_ATTR.DAEMON);
  if (nest === undefined) throw new Error('IPVS message without IPVS_CMD_ATTR_DAEMON');
  const a = attributeMap(nest);
  const out: { -readonly [K in keyof IpvsDaemon]?: IpvsDaemon[K] } = {};
  const state = a.get(IPVS_DAEMON_ATTR.STATE);
  if (state !== undefined) out.state = readU32(state) as IpvsDaemon['state'];
  const ifn = a.get(IPVS_DAEMON_ATTR.MCAST_IFN);
  if (ifn !== undefined) out.interface = readCString(ifn);
  const id = a.get(IPVS_DAEMON_ATTR.SYNC_ID);
  if (id !== undefined) out.syncId = readU32(id);
  const maxlen = a.get(IPVS_DAEMON_ATTR.SYNC_MAXLEN);
  if (maxlen !== undefined && readU16(maxlen) !== 0) out.maxlen = readU16(maxlen);
  const port = a.get(IPVS_DAEMON_ATTR.MCAST_PORT);
  if (port !== undefined && readU16(port) !== 0) out.port = readU16(port);
  const ttl = a.get(IPVS_DAEMON_ATTR.MCAST_TTL);
  if (ttl !== undefined && ttl[0] !== 0) out.ttl = ttl[0]!;
  const group = a.get(IPVS_DAEMON_ATTR.MCAST_GROUP6) ?? a.get(IPVS_DAEMON_ATTR.MCAST_GROUP);
  if (group !== undefined) out.group = Uint8Array.from(group);
  return { cmd: genl.cmd, daemon: out };
}
