/**
 * KEEPALIVED-MIB (enterprise 9586.100.5) as keepalived 2.2.7 serves it, built from vigil's configuration and
 * state: the `global` scalars and the `vrrp` sync group, member, instance and address tables. The OIDs, indexes,
 * types and the values for the same configuration and state are keepalived's (its core/snmp.c and
 * vrrp/vrrp_snmp.c: an object keepalived leaves out, for example a script not configured, is left out here too);
 * test/real/snmp-keepalived-differential.test.ts walks both and compares them.
 */
import { isIPv4 } from 'node:net';
import type { Config, IpAddress, Script, VrrpInstance } from '../../config/model.js';
import type { DaemonStatus, InstanceStatus } from '../../actors/status.js';
import { VarType, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import { ipToBytes as addressBytes } from '../../protocol/ip-bytes.js';
import { splitCommandLine } from '../../config/command-line.js';

export const KEEPALIVED_MIB: Oid = [1, 3, 6, 1, 4, 1, 9586, 100, 5];
export const KEEPALIVED_GLOBAL: Oid = [...KEEPALIVED_MIB, 1];
export const KEEPALIVED_VRRP: Oid = [...KEEPALIVED_MIB, 2];
export const KEEPALIVED_CHECK: Oid = [...KEEPALIVED_MIB, 3];

export interface KeepalivedMibSources {
  readonly config: Config;
  readonly status: DaemonStatus;
  /** The kernel's index of an interface, when it exists. */
  readonly ifIndex: (name: string) => number | undefined;
  /** What `version` reads (keepalived: "Keepalived v2.2.7 (01/16,2022)"). */
  readonly version: string;
  /** router_id's default: the host name. */
  readonly hostname: string;
  /** A script's program as keepalived records it (PATH searched, links resolved); as written when absent. */
  readonly resolveProgram?: ((program: string) => string) | undefined;
  /** An instance's Preempt_Mode now (an SNMP set changes it); the configuration's when absent. */
  readonly preempt?: ((instance: string) => boolean | undefined) | undefined;
}

/** The base priority now (an SNMP set changes it: the status's) and Preempt_Mode now, of an instance. */
export function basePriority(inst: VrrpInstance, s: InstanceStatus | undefined): number {
  return s?.priority ?? inst.priority;
}

export function preempting(inst: VrrpInstance, src: KeepalivedMibSources): boolean {
  return src.preempt?.(inst.name) ?? !inst.nopreempt;
}

const int = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Integer, value });
const gauge = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Gauge32, value: value >>> 0 });
const str = (oid: Oid, value: string): VarBind => ({ oid, type: VarType.OctetString, value: Buffer.from(value) });
const bytes = (oid: Oid, value: Uint8Array): VarBind => ({ oid, type: VarType.OctetString, value });
/** SNMPv2-TC TruthValue: true(1), false(2). */
const truth = (v: boolean): number => (v ? 1 : 2);
/** InetAddressType as keepalived sets it: ipv4(1) for AF_INET, ipv6(2) for anything else (snmp.h). */
const inetType = (address: string | undefined): number => (address !== undefined && isIPv4(address) ? 1 : 2);

/** VrrpState: init(0), backup(1), master(2), fault(3), unknown(4) (keepalived: anything past FAULT). */
const VRRP_STATE: Record<InstanceStatus['state'], number> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOP: 4 };

/**
 * keepalived's cmd_str_r: the command's words, each in single quotes (but a first word that is a `<` or `>`
 * redirection), separated by one space; the program as keepalived resolved it when it read the file.
 */
export function commandText(s: Script, src: KeepalivedMibSources): string {
  const words = splitCommandLine(s.command);
  const first = words[0];
  if (first !== undefined && !/^[<>]/.test(first) && src.resolveProgram) words[0] = src.resolveProgram(first);
  return words.map((w, i) => (i > 0 || !/^[<>]/.test(w) ? `'${w}'` : w)).join(' ');
}

export function globalScalars(src: KeepalivedMibSources): VarBind[] {
  const g = src.config.globalDefs;
  const o = (...sub: number[]): Oid => [...KEEPALIVED_GLOBAL, ...sub, 0];
  const smtp = g.smtpServer as { readonly host: string; readonly port: number } | undefined;
  const out: VarBind[] = [str(o(1), src.version), str(o(2), g.routerId ?? src.hostname)];
  // With no smtp_server keepalived's address is all zeros of an unset family: type ipv6(2), four zero bytes.
  out.push(int(o(3, 1), smtp === undefined ? 2 : inetType(smtp.host)));
  out.push(bytes(o(3, 2), smtp === undefined ? new Uint8Array(4) : addressBytes(smtp.host)));
  out.push(gauge(o(3, 3), smtp === undefined ? 0 : g.smtpConnectTimeout));
  if (g.notificationEmailFrom !== undefined) out.push(str(o(3, 4), g.notificationEmailFrom));
  g.notificationEmail.forEach((address, i) => out.push(str([...KEEPALIVED_GLOBAL, 3, 5, 1, 2, i + 1], address)));
  out.push(gauge(o(3, 6), smtp?.port ?? 0));
  out.push(int(o(3, 7), truth(!g.noEmailFaults)));
  // smtp_alert / smtp_alert_vrrp / smtp_alert_checker: 3 when not given.
  const tri = (v: boolean | undefined): number => (v === undefined ? 3 : truth(v));
  out.push(int(o(3, 8), tri(g.smtpAlert)), int(o(3, 9), tri(g.smtpAlertVrrp)), int(o(3, 10), tri(g.smtpAlertChecker)));
  out.push(int(o(4), truth(g.enableTraps)));
  out.push(int(o(5), g.linkbeatUsePolling ? 2 : 1));
  out.push(int(o(6), truth(g.lvsFlush)));
  // 64-bit IPVS statistics: vigil reads the kernel's 64-bit counters (IPVS_SVC_ATTR_STATS64).
  out.push(int(o(7), 1));
  out.push(str(o(8), g.netNamespace ?? ''));
  // dbus(9): enable_dbus (observe/dbus/).
  out.push(int(o(9), truth(g.enableDbus)));
  out.push(int(o(10), truth(g.dynamicInterfaces !== undefined)));
  out.push(int(o(11), g.lvsFlushOnStop === true ? 1 : g.lvsFlushOnStop === 'VS' ? 3 : 2));
  return out;
}

/** A sync group's state from its members': keepalived moves them together, FAULT first. */
function groupState(members: readonly (InstanceStatus | undefined)[]): number {
  const states = members.filter((m): m is InstanceStatus => m !== undefined).map((m) => m.state);
  if (states.includes('FAULT')) return VRRP_STATE.FAULT;
  if (states.length > 0 && states.every((s) => s === 'MASTER')) return VRRP_STATE.MASTER;
  if (states.length > 0 && states.every((s) => s === 'INIT')) return VRRP_STATE.INIT;
  return VRRP_STATE.BACKUP;
}

export function vrrpTables(src: KeepalivedMibSources): VarBind[] {
  const { config, status } = src;
  const g = config.globalDefs;
  const out: VarBind[] = [];
  const statusOf = new Map(status.instances.map((i) => [i.name, i]));
  const indexOf = new Map(config.vrrpInstances.map((i, n) => [i.name, n + 1]));
  const groupOf = new Map<string, string>();
  const v = (...sub: number[]): Oid => [...KEEPALIVED_VRRP, ...sub];

  // vrrpSyncGroupTable (vrrp 1) and vrrpSyncGroupMemberTable (vrrp 2).
  config.vrrpSyncGroups.forEach((sg, n) => {
    const gi = n + 1;
    const col = (c: number): Oid => v(1, 1, c, gi);
    for (const m of sg.group) groupOf.set(m, sg.name);
    out.push(str(col(2), sg.name), int(col(3), groupState(sg.group.map((m) => statusOf.get(m)))));
    out.push(int(col(4), truth(sg.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false)));
    const scripts: [number, Script | undefined][] = [[6, sg.notifyMaster], [7, sg.notifyBackup], [8, sg.notifyFault], [9, sg.notify], [11, sg.notifyStop]];
    out.push(int(col(5), truth(scripts.some(([, s]) => s !== undefined))));
    for (const [c, s] of scripts) if (s !== undefined) out.push(str(col(c), commandText(s, src)));
    out.push(int(col(10), truth(sg.syncGroupTrackingWeight)));
    sg.group.forEach((member, k) => {
      const ii = indexOf.get(member);
      if (ii !== undefined) out.push(str(v(2, 1, 2, gi, k + 1), member));
    });
  });

  // static_ipaddress rows come first, with instance index 0; they are set from the start and never advertised.
  const statics = config.staticIpAddresses.map((a): AddressRow => ({ address: a, advertised: false }));
  out.push(...addressRows(statics, 0, true, g.defaultInterface ?? '', src));
  config.vrrpInstances.forEach((inst, n) => {
    const ii = n + 1;
    const s = statusOf.get(inst.name);
    out.push(...instanceRow(inst, ii, s, groupOf.get(inst.name), src));
    // The virtual addresses, then the excluded ones (not advertised). keepalived 2.2.7 reports every address of
    // the instances after the first as not advertised (its table walk never sets the flag again): vigil reports
    // what is true, and the differential test names that one difference.
    const rows = [
      ...inst.virtualIpAddresses.map((a): AddressRow => ({ address: a, advertised: true })),
      ...inst.excludedVirtualIpAddresses.map((a): AddressRow => ({ address: a, advertised: false })),
    ];
    out.push(...addressRows(rows, ii, s?.state === 'MASTER', inst.interface, src));
  });
  return out;
}

interface AddressRow {
  readonly address: IpAddress;
  readonly advertised: boolean;
}

function instanceRow(inst: VrrpInstance, ii: number, s: InstanceStatus | undefined, group: string | undefined, src: KeepalivedMibSources): VarBind[] {
  const g = src.config.globalDefs;
  const col = (c: number): Oid => [...KEEPALIVED_VRRP, 3, 1, c, ii];
  const state = s?.state ?? 'INIT';
  const initial = inst.state === 'MASTER' ? VRRP_STATE.MASTER : VRRP_STATE.BACKUP;
  const wanted = state === 'MASTER' || state === 'BACKUP' ? VRRP_STATE[state] : initial;
  const out: VarBind[] = [
    str(col(2), inst.name),
    gauge(col(3), inst.virtualRouterId),
    int(col(4), VRRP_STATE[state]),
    int(col(5), initial),
    int(col(6), wanted),
    int(col(7), basePriority(inst, s)),
    int(col(8), s?.effective_priority ?? inst.priority),
    int(col(9), truth(state === 'MASTER')),
  ];
  if (inst.interface !== '') out.push(str(col(10), inst.interface));
  out.push(int(col(11), truth(inst.trackInterfaces.length > 0)));
  // VRRPv2 in seconds, VRRPv3 in centiseconds.
  out.push(gauge(col(12), inst.version === 2 ? Math.floor(inst.advertInt) : inst.advertIntervalCs));
  out.push(int(col(13), truth(preempting(inst, src))), gauge(col(14), Math.floor(inst.preemptDelaySeconds)));
  out.push(int(col(15), inst.version === 2 && inst.authentication !== undefined ? (inst.authentication.type === 'PASS' ? 1 : 2) : 0));
  const syncd = g.lvsSyncDaemon as { readonly interface: string; readonly instance?: string | undefined } | undefined;
  const isSyncd = syncd !== undefined && syncd.instance === inst.name;
  out.push(int(col(16), truth(isSyncd)));
  if (isSyncd) out.push(str(col(17), syncd.interface));
  if (group !== undefined) out.push(str(col(18), group));
  out.push(gauge(col(19), Math.floor(inst.garpMasterDelay)));
  out.push(int(col(20), truth(inst.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false)));
  const deleted = inst.notifyDeleted === true ? undefined : inst.notifyDeleted;
  const scripts: [number, Script | undefined][] = [
    [22, inst.notifyMaster],
    [23, inst.notifyBackup],
    [24, inst.notifyFault],
    [25, inst.notifyStop],
    [26, inst.notify],
    [31, inst.notifyMasterRxLowerPri],
    [32, deleted],
  ];
  out.push(int(col(21), truth(scripts.some(([, x]) => x !== undefined))));
  for (const [c, x] of scripts) if (x !== undefined) out.push(str(col(c), commandText(x, src)));
  // accept: VRRPv3 only (0 for v2), as keepalived's firewall build reports it.
  out.push(int(col(27), inst.version === 3 ? truth(inst.accept) : 0));
  out.push(int(col(28), truth(inst.promoteSecondaries)), int(col(29), truth(inst.linkbeatUsePolling)), int(col(30), inst.version));
  out.push(int(col(33), truth(inst.notifyDeleted !== undefined)));
  if (inst.unicastPeers.length === 0) {
    const group4 = g.vrrpMcastGroup4 as string;
    const group6 = g.vrrpMcastGroup6 as string;
    const mcast = inst.mcastDstIp ?? (inst.family === 6 ? group6 : group4);
    out.push(int(col(34), inetType(mcast)), bytes(col(35), addressBytes(mcast)));
  }
  return out;
}

/** vrrpAddressTable (vrrp 6), indexed by instance (0: static_ipaddress) and position. */
function addressRows(rows: readonly AddressRow[], ii: number, held: boolean, defaultDev: string, src: KeepalivedMibSources): VarBind[] {
  const out: VarBind[] = [];
  rows.forEach(({ address: a, advertised }, k) => {
    const col = (c: number): Oid => [...KEEPALIVED_VRRP, 6, 1, c, ii, k + 1];
    const dev = a.dev ?? defaultDev;
    const v4 = a.family === 4;
    out.push(int(col(2), v4 ? 1 : 2), bytes(col(3), addressBytes(a.address)));
    if (v4) out.push(bytes(col(4), addressBytes(a.broadcast !== undefined && isIPv4(a.broadcast) ? a.broadcast : '0.0.0.0')));
    out.push(gauge(col(5), a.prefix), int(col(6), scopeValue(a.scope, a.address)));
    out.push(int(col(7), src.ifIndex(dev) ?? 0), str(col(8), dev));
    if (a.label !== undefined) out.push(str(col(9), a.label));
    out.push(int(col(10), truth(held)), int(col(11), truth(advertised)));
    if (a.peer !== undefined) out.push(bytes(col(12), addressBytes(a.peer)));
  });
  return out;
}

/** InetScopeType from an address's scope as keepalived maps it (snmp_scope): global 14, host 1, link 2, site 5. */
function scopeValue(scope: string | undefined, address: string): number {
  const named = scope ?? (address.toLowerCase().startsWith('fe80:') ? 'link' : 'global');
  switch (named) {
    case 'global':
    case 'universe':
    case '0':
      return 14;
    case 'host':
    case '254':
      return 1;
    case 'link':
    case '253':
      return 2;
    case 'site':
    case '200':
      return 5;
    default:
      return 0;
  }
}
