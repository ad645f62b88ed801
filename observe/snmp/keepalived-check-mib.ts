/**
 * KEEPALIVED-MIB's `check` subtree (9586.100.5.3, `enable_snmp_checker`) as keepalived 2.2.7 serves it
 * (check/check_snmp.c): virtualServerGroupTable (1), virtualServerGroupMemberTable (2), virtualServerTable (3),
 * realServerTable (4), lvsSyncDaemon (6) and lvsTimeouts (7), from the configuration and the checker side's state.
 * Indexes are positions: groups and virtual servers in file order; a group's fwmark entries before its addresses;
 * a virtual server's sorry server (realServerType sorry(2)) before its real servers. An object keepalived leaves
 * out (a fwmark service's address, a sorry server's status, a script not configured) is left out here too.
 *
 * The IPVS statistics columns (connections, packets, bytes, rates) are served, as keepalived serves them, but
 * vigil's load balancers keep no per-service counters (the nftables backend has none, and vigil does not read
 * IPVS's): they read 0.
 */
import { isIPv4 } from 'node:net';
import type { Config, RealServer, SorryServer, VirtualServer, VirtualServerGroupEntry, Forwarding } from '../../config/model.js';
import type { VirtualServerStatus } from '../../actors/status.js';
import { VarType, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';
import { KEEPALIVED_CHECK, commandText, type KeepalivedMibSources } from './keepalived-mib.js';

const int = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Integer, value });
const gauge = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Gauge32, value: value >>> 0 });
const counter = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Counter32, value: value >>> 0 });
const counter64 = (oid: Oid, value: bigint): VarBind => ({ oid, type: VarType.Counter64, value });
const str = (oid: Oid, value: string): VarBind => ({ oid, type: VarType.OctetString, value: Buffer.from(value) });
const bytes = (oid: Oid, value: Uint8Array): VarBind => ({ oid, type: VarType.OctetString, value });
const truth = (v: boolean): number => (v ? 1 : 2);
const inetType = (address: string): number => (isIPv4(address) ? 1 : 2);
/** keepalived keeps times in microseconds (TIMER_HZ); the MIB has whole seconds and microseconds. */
const usec = (seconds: number | undefined): number => Math.round((seconds ?? 0) * 1e6);
const sec = (seconds: number | undefined): number => Math.floor(usec(seconds) / 1e6);

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'];
const LB_KIND: Record<Forwarding['method'], number> = { NAT: 1, DR: 2, TUN: 3 };
const PROTOCOL: Record<VirtualServer['protocol'], number> = { TCP: 1, UDP: 2, SCTP: 3 };

/** What a live real server's row reads from the checker side (absent: not built yet, down with its weight). */
export interface RealServerState {
  readonly alive: boolean;
  readonly weight: number;
  readonly failedChecks: number;
}

export interface CheckMibSources extends KeepalivedMibSources {
  readonly config: Config;
}

/** The status of each configured virtual server, by position (the checker side builds them in file order). */
function statusByPosition(config: Config, statuses: readonly VirtualServerStatus[]): (VirtualServerStatus | undefined)[] {
  return config.virtualServers.map((_, i) => statuses[i]);
}

/** The row of each real server of a virtual server: key `address:port` as the checker side names it. */
function rsKey(rs: { readonly ip: string; readonly port: number }): string {
  return isIPv4(rs.ip) ? `${rs.ip}:${rs.port}` : `[${rs.ip}]:${rs.port}`;
}

export function realServerState(status: VirtualServerStatus | undefined, rs: RealServer): RealServerState {
  const s = status?.real_servers.find((r) => r.key === rsKey(rs));
  return { alive: s?.alive ?? false, weight: s?.weight ?? rs.weight, failedChecks: s?.failed_checks ?? 0 };
}

/** keepalived's vsge order: every fwmark entry of the group, then every address entry. */
export function groupMembers(entries: readonly VirtualServerGroupEntry[]): VirtualServerGroupEntry[] {
  return [...entries.filter((e) => e.kind === 'fwmark'), ...entries.filter((e) => e.kind !== 'fwmark')];
}

/** persistence_granularity as keepalived holds it: an IPv4 mask's four bytes, an IPv6 prefix length; default all ones. */
function granularity(vs: VirtualServer): { readonly octets: Uint8Array; readonly value: number } {
  const g = vs.persistenceGranularity;
  if (g === undefined) return { octets: new Uint8Array([255, 255, 255, 255]), value: 0xffffffff };
  if (g.includes('.')) {
    const octets = ipToBytes(g);
    // The same four bytes read as a host-order (little-endian) number, as column 51 reads them.
    return { octets, value: Buffer.from(octets).readUInt32LE(0) };
  }
  const n = Number(g);
  const octets = Buffer.alloc(4);
  octets.writeUInt32LE(n >>> 0, 0);
  return { octets, value: n };
}

export function checkTables(src: CheckMibSources): VarBind[] {
  const { config } = src;
  const out: VarBind[] = [];
  const c = (...sub: number[]): Oid => [...KEEPALIVED_CHECK, ...sub];

  // virtualServerGroupTable and virtualServerGroupMemberTable.
  config.virtualServerGroups.forEach((group, n) => {
    const gi = n + 1;
    out.push(str(c(1, 1, 2, gi), group.name));
    groupMembers(group.entries).forEach((e, k) => {
      const col = (x: number): Oid => c(2, 1, x, gi, k + 1);
      if (e.kind === 'fwmark') {
        out.push(int(col(2), 1), gauge(col(3), e.fwmark));
        return;
      }
      const range = e.rangeEnd !== undefined && e.rangeEnd !== e.ip;
      out.push(int(col(2), range ? 3 : 2), int(col(4), inetType(e.ip)));
      if (range) out.push(bytes(col(6), ipToBytes(e.ip)), bytes(col(7), ipToBytes(e.rangeEnd ?? e.ip)));
      else out.push(bytes(col(5), ipToBytes(e.ip)));
      out.push(gauge(col(8), e.port ?? 0));
    });
  });

  const statuses = statusByPosition(config, src.status.virtual_servers);
  config.virtualServers.forEach((vs, n) => {
    out.push(...virtualServerRow(vs, n + 1, statuses[n], src));
    out.push(...realServerRows(vs, n + 1, statuses[n], src));
  });

  // lvsSyncDaemon (6) and lvsTimeouts (7): scalars.
  const g = config.globalDefs;
  const syncd = g.lvsSyncDaemon;
  out.push(int(c(6, 1, 0), truth(syncd !== undefined)));
  if (syncd !== undefined) {
    out.push(str(c(6, 2, 0), syncd.interface));
    if (syncd.instance !== undefined) out.push(str(c(6, 3, 0), syncd.instance));
    out.push(int(c(6, 4, 0), syncd.id ?? 0));
  }
  const t = g.lvsTimeouts;
  if (t?.tcp) out.push(int(c(7, 1, 0), t.tcp));
  if (t?.tcpfin) out.push(int(c(7, 2, 0), t.tcpfin));
  if (t?.udp) out.push(int(c(7, 3, 0), t.udp));
  return out;
}

function virtualServerRow(vs: VirtualServer, vi: number, s: VirtualServerStatus | undefined, src: CheckMibSources): VarBind[] {
  const g = src.config.globalDefs;
  const col = (x: number): Oid => [...KEEPALIVED_CHECK, 3, 1, x, vi];
  const a = vs.address;
  const out: VarBind[] = [int(col(2), a.kind === 'group' ? 3 : a.kind === 'fwmark' ? 1 : 2)];
  if (a.kind === 'group') out.push(str(col(3), a.group));
  if (a.kind === 'fwmark') out.push(gauge(col(4), a.fwmark));
  out.push(int(col(5), vs.family === 4 ? 1 : 2));
  if (a.kind === 'ip') out.push(bytes(col(6), ipToBytes(a.ip)), gauge(col(7), a.port));
  if (a.kind !== 'fwmark') out.push(int(col(8), PROTOCOL[vs.protocol]));
  const algo = SCHEDULERS.indexOf(vs.lbAlgo);
  out.push(int(col(9), algo < 0 ? 99 : algo + 1), int(col(10), LB_KIND[vs.forwarding.method]));
  // vs->alive: the service is in the load balancer (the checker side has built it).
  out.push(int(col(11), truth(s !== undefined)));
  if (vs.virtualhost !== undefined) out.push(str(col(12), vs.virtualhost));
  const persist = vs.persistenceTimeout ?? 0;
  out.push(int(col(13), truth(persist > 0)));
  if (persist > 0) out.push(gauge(col(14), persist));
  // An IP service of one family has one granularity column; a fwmark or group service (no address) has both.
  const gran = granularity(vs);
  if (!(a.kind === 'ip' && vs.family === 6)) out.push(bytes(col(15), gran.octets));
  if (!(a.kind === 'ip' && vs.family === 4)) out.push(gauge(col(51), gran.value));
  out.push(gauge(col(16), sec(vs.delayLoop)), int(col(17), truth(vs.haSuspend)));
  const flags = new Set(vs.schedulerFlags);
  out.push(int(col(37), truth(flags.has('ops'))), int(col(18), truth(vs.alpha)), int(col(19), truth(vs.omega)));
  const real = vs.realServers.map((rs) => realServerState(s, rs));
  out.push(gauge(col(20), vs.realServers.length), gauge(col(21), real.filter((r) => r.alive).length));
  out.push(gauge(col(22), vs.quorum), int(col(23), truth(s?.quorum_up ?? true)));
  if (vs.quorumUp !== undefined) out.push(str(col(24), commandText(vs.quorumUp, src)));
  if (vs.quorumDown !== undefined) out.push(str(col(25), commandText(vs.quorumDown, src)));
  out.push(gauge(col(26), vs.hysteresis));
  out.push(...statistics(col, 27, 38, 1));
  // The scheduler flags share IPVS's bits: flag-1 is sh-fallback and mh-fallback, flag-2 sh-port and mh-port.
  const flag1 = flags.has('flag-1') || flags.has('sh-fallback') || flags.has('mh-fallback');
  const flag2 = flags.has('flag-2') || flags.has('sh-port') || flags.has('mh-port');
  out.push(int(col(52), truth(flags.has('hashed'))), int(col(53), truth(flag1)), int(col(54), truth(flag2)), int(col(55), truth(flags.has('flag-3'))));
  out.push(int(col(62), truth(flag1)), int(col(63), truth(flag2)));
  out.push(int(col(56), truth(!vs.inhibitOnFailure)), gauge(col(57), vs.retry ?? 0));
  out.push(gauge(col(58), sec(vs.delayBeforeRetry)), gauge(col(59), sec(vs.warmup)), int(col(60), vs.weight));
  out.push(int(col(61), truth(vs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert ?? false)));
  out.push(gauge(col(64), usec(vs.delayLoop)), gauge(col(65), usec(vs.delayBeforeRetry)), gauge(col(66), usec(vs.warmup)), gauge(col(67), usec(vs.connectTimeout)));
  out.push(...tunnel(col, 68, vs.forwarding));
  if (vs.snmpName !== undefined) out.push(str(col(71), vs.snmpName));
  return out;
}

/** The IPVS statistics: 32-bit columns from `first`, 64-bit from `first64` (vigil keeps no counters: 0). */
function statistics(col: (x: number) => Oid, first: number, first64: number, gauges: number): VarBind[] {
  const out: VarBind[] = [];
  // virtualServer: conns (gauge), inpkts, outpkts (counters), inbytes, outbytes (counter64), five rates (gauge);
  // realServer: the same with active, inactive and persistent connections (gauges) after conns.
  let x = first;
  for (let i = 0; i < gauges; i++) out.push(gauge(col(x++), 0));
  out.push(counter(col(x++), 0), counter(col(x++), 0), counter64(col(x++), 0n), counter64(col(x++), 0n));
  for (let i = 0; i < 5; i++) out.push(gauge(col(x++), 0));
  let y = first64;
  for (let i = 0; i < 3; i++) out.push(counter64(col(y++), 0n));
  for (let i = 0; i < 10; i++) out.push(gauge(col(y++), 0));
  return out;
}

/** Tunnel type (ipip 1, gue 2, gre 3), GUE port, checksum (nocsum 1, csum 2, remcsum 3) of a TUN server. */
function tunnel(col: (x: number) => Oid, first: number, f: Forwarding): VarBind[] {
  if (f.method !== 'TUN') return [];
  const type = f.tunnelType ?? 'ipip';
  const out = [int(col(first), type === 'ipip' ? 1 : type === 'gue' ? 2 : 3)];
  if (type === 'gue') out.push(gauge(col(first + 1), f.tunnelPort ?? 0));
  if (type !== 'ipip') out.push(int(col(first + 2), f.tunnelChecksum === 'csum' ? 2 : f.tunnelChecksum === 'remcsum' ? 3 : 1));
  return out;
}

function realServerRows(vs: VirtualServer, vi: number, s: VirtualServerStatus | undefined, src: CheckMibSources): VarBind[] {
  const out: VarBind[] = [];
  let ri = 0;
  if (vs.sorryServer !== undefined) out.push(...sorryRow(vs.sorryServer, vi, ++ri));
  for (const rs of vs.realServers) out.push(...realRow(vs, rs, vi, ++ri, realServerState(s, rs), src));
  return out;
}

function address(col: (x: number) => Oid, a: { readonly ip: string; readonly port: number }): VarBind[] {
  return [int(col(3), inetType(a.ip)), bytes(col(4), ipToBytes(a.ip)), gauge(col(5), a.port)];
}

/** keepalived's sorry server is a zeroed real server: no timings, no alert, no checks; no status, weight or scripts. */
function sorryRow(ss: SorryServer, vi: number, ri: number): VarBind[] {
  const col = (x: number): Oid => [...KEEPALIVED_CHECK, 4, 1, x, vi, ri];
  const out: VarBind[] = [int(col(2), 2), ...address(col, ss)];
  out.push(...statistics(col, 14, 27, 4), int(col(40), LB_KIND[ss.forwarding.method]));
  out.push(int(col(42), 2), gauge(col(43), 0), gauge(col(44), 0), gauge(col(45), 0), gauge(col(46), 0), int(col(47), 2));
  out.push(gauge(col(48), 0), gauge(col(49), 0), gauge(col(50), 0), gauge(col(51), 0));
  out.push(...tunnel(col, 52, ss.forwarding));
  return out;
}

function realRow(vs: VirtualServer, rs: RealServer, vi: number, ri: number, state: RealServerState, src: CheckMibSources): VarBind[] {
  const g = src.config.globalDefs;
  const col = (x: number): Oid => [...KEEPALIVED_CHECK, 4, 1, x, vi, ri];
  const out: VarBind[] = [int(col(2), 1), ...address(col, rs)];
  out.push(int(col(6), truth(state.alive)), int(col(7), state.weight));
  if (rs.uthreshold) out.push(gauge(col(8), rs.uthreshold));
  if (rs.lthreshold) out.push(gauge(col(9), rs.lthreshold));
  out.push(int(col(10), truth(!rs.inhibitOnFailure)));
  if (rs.notifyUp !== undefined) out.push(str(col(11), commandText(rs.notifyUp, src)));
  if (rs.notifyDown !== undefined) out.push(str(col(12), commandText(rs.notifyDown, src)));
  out.push(gauge(col(13), state.failedChecks));
  out.push(...statistics(col, 14, 27, 4), int(col(40), LB_KIND[rs.forwarding.method]));
  if (rs.virtualhost !== undefined) out.push(str(col(41), rs.virtualhost));
  // Unset timings are the virtual server's (check_data.c validate_check_config); unset everywhere, 0.
  const retry = rs.retry ?? vs.retry;
  const delayBeforeRetry = rs.delayBeforeRetry ?? vs.delayBeforeRetry;
  const warmup = rs.warmup ?? vs.warmup;
  out.push(int(col(42), truth(rs.alpha)), gauge(col(43), retry ?? 0), gauge(col(44), sec(delayBeforeRetry)), gauge(col(45), sec(warmup)));
  out.push(gauge(col(46), sec(rs.delayLoop)));
  // A real server's smtp_alert defaults to on (keepalived keeps it so for backwards compatibility).
  out.push(int(col(47), truth(rs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert ?? true)));
  out.push(gauge(col(48), usec(delayBeforeRetry)), gauge(col(49), usec(warmup)), gauge(col(50), usec(rs.delayLoop)), gauge(col(51), usec(rs.connectTimeout)));
  out.push(...tunnel(col, 52, rs.forwarding));
  if (rs.snmpName !== undefined) out.push(str(col(55), rs.snmpName));
  return out;
}
