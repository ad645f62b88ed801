/**
 * `vrrp_instance NAME { ... }`: every keyword of keepalived.conf(5) "VRRP instance(s)". The handlers fill an
 * InstanceDraft; defaults that depend on other blocks (global_defs' vrrp_version, vrrp_garp_*, vrrp_strict, the
 * address family, state vs priority) are resolved in finalize-vrrp.ts.
 */
import type { IpFamily } from '../../protocol/ip.js';
import type { Diagnostics } from '../diagnostics.js';
import type { Authentication, IpAddress, Route, Rule, Script, TrackedByName, UnicastPeer } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { address, boolean, integer, integerText, script, seconds, word } from '../values.js';
import { blockSpec, type KeywordHandler, type Walker } from '../walker.js';
import { parseIpAddressLine } from './addresses.js';
import { parseRouteLine } from './routes.js';
import { parseRuleLine, rulePriorities } from './rules.js';
import { parseTrackLine, type TrackKind } from './tracking.js';
import { announceTableHandler, type AnnounceDraft } from './announce.js';
import { parseUseIpvlan, parseUseVmac, type UseIpvlanDraft, type UseVmacDraft } from './vmac.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the vrrp_instance block said, before defaults from elsewhere are applied. */
export interface InstanceDraft extends AnnounceDraft {
  readonly name: string;
  readonly at: ConfigLine;
  state?: 'MASTER' | 'BACKUP' | undefined;
  interface?: string | undefined;
  vrf?: string | undefined;
  virtualRouterId?: number | undefined;
  priority?: number | undefined;
  advertInt?: number | undefined;
  version?: 2 | 3 | undefined;
  /** Family deduced from the first address-like keyword (keepalived's vrrp->family). */
  family?: IpFamily | undefined;
  nopreempt: boolean;
  preemptDelaySeconds: number;
  lowerPrioNoAdvert?: boolean | undefined;
  higherPrioSendAdvert?: boolean | undefined;
  authType?: 'PASS' | 'AH' | undefined;
  authPass?: string | undefined;
  authenticationBlock: boolean;
  virtualIpAddresses: IpAddress[];
  excludedVirtualIpAddresses: IpAddress[];
  virtualRoutes: Route[];
  virtualRules: Rule[];
  sourceIp?: string | undefined;
  sourceKeyword?: 'unicast_src_ip' | 'mcast_src_ip' | undefined;
  mcastDstIp?: string | undefined;
  unicastPeers: UnicastPeer[];
  unicastTtl?: number | undefined;
  unicastConfigured: boolean;
  unicastFaultNoPeer: boolean;
  checkUnicastSrc: boolean;
  trackSrcIp: boolean;
  dontTrackPrimary: boolean;
  tracks: Record<TrackKind, TrackedByName[]>;
  useVmac?: UseVmacDraft | undefined;
  useVmacAddr: boolean;
  vmacXmitBase: boolean;
  useIpvlan?: UseIpvlanDraft | undefined;
  nativeIpv6: boolean;
  accept?: boolean | undefined;
  skipCheckAdvAddr?: boolean | undefined;
  strictMode?: boolean | undefined;
  promoteSecondaries: boolean;
  linkbeatUsePolling: boolean;
  debug: number;
  notifyMaster?: Script | undefined;
  notifyBackup?: Script | undefined;
  notifyFault?: Script | undefined;
  notifyStop?: Script | undefined;
  notifyDeleted?: Script | true | undefined;
  notify?: Script | undefined;
  notifyMasterRxLowerPri?: Script | undefined;
  notifyPriorityChanges?: boolean | undefined;
  smtpAlert?: boolean | undefined;
  garpMasterDelay?: number | undefined;
  garpMasterRepeat?: number | undefined;
  garpMasterRefresh?: number | undefined;
  garpMasterRefreshRepeat?: number | undefined;
  garpLowerPrioDelay?: number | undefined;
  garpLowerPrioRepeat?: number | undefined;
  garpExtraIf?: { interval: number; all: boolean } | undefined;
  downTimerAdverts?: number | undefined;
  kernelRxBufSize?: number | undefined;
  oldUnicastChecksum: boolean;
  oldUnicastChecksumNever: boolean;
  lvsSyncDaemonInterface?: string | undefined;
}

export function newInstanceDraft(name: string, at: ConfigLine): InstanceDraft {
  return {
    name,
    at,
    nopreempt: false,
    preemptDelaySeconds: 0,
    authenticationBlock: false,
    virtualIpAddresses: [],
    excludedVirtualIpAddresses: [],
    virtualRoutes: [],
    virtualRules: [],
    unicastPeers: [],
    unicastConfigured: false,
    unicastFaultNoPeer: false,
    checkUnicastSrc: false,
    trackSrcIp: false,
    dontTrackPrimary: false,
    tracks: { track_interface: [], track_script: [], track_file: [], track_process: [], track_bfd: [] },
    useVmacAddr: false,
    vmacXmitBase: false,
    nativeIpv6: false,
    promoteSecondaries: false,
    linkbeatUsePolling: false,
    debug: 0,
    oldUnicastChecksum: false,
    oldUnicastChecksumNever: false,
  };
}

type H = KeywordHandler<InstanceDraft>;

function prefix(v: InstanceDraft): string {
  return `vrrp_instance ${v.name}`;
}

/** Sets the instance family from an address, or reports a mismatch (keepalived: "MUST be of the same family"). */
function familyMatches(v: InstanceDraft, family: IpFamily, line: ConfigLine, what: string, d: Diagnostics): boolean {
  if (v.family === undefined) {
    v.family = family;
    return true;
  }
  if (v.family === family) return true;
  d.error(line, `${prefix(v)}: ${what} is IPv${family} but the instance is IPv${v.family}`);
  return false;
}

const notifyHandler =
  (field: 'notifyMaster' | 'notifyBackup' | 'notifyFault' | 'notifyStop' | 'notify' | 'notifyMasterRxLowerPri'): H =>
  (v, line, w) => {
    if (v[field] !== undefined) {
      w.diagnostics.warning(line, `${prefix(v)}: ${line.words[0]} already given - ignoring`);
      return;
    }
    const s = script(line, 1, w.diagnostics);
    if (s) v[field] = s;
  };

const trackHandler =
  (kind: TrackKind): H =>
  (v, line, w) => {
    const seen = new Set(v.tracks[kind].map((t) => t.name));
    w.lines(line, (l) => {
      const t = parseTrackLine(kind, l, w.diagnostics, seen);
      if (t) v.tracks[kind].push(t);
    });
  };

const boolHandler =
  (field: 'lowerPrioNoAdvert' | 'higherPrioSendAdvert' | 'skipCheckAdvAddr' | 'strictMode' | 'notifyPriorityChanges' | 'smtpAlert'): H =>
  (v, line, w) => {
    const b = boolean(line, 1, w.diagnostics);
    if (b !== undefined) v[field] = b;
  };

const uintHandler =
  (field: 'garpMasterRepeat' | 'garpMasterRefreshRepeat' | 'garpLowerPrioRepeat' | 'garpMasterDelay' | 'garpMasterRefresh' | 'garpLowerPrioDelay', min: number, max: number): H =>
  (v, line, w) => {
    const n = integer(line, 1, min, max, w.diagnostics);
    if (n !== undefined) v[field] = n;
  };

function addressBlock(kind: 'vip' | 'evip'): H {
  return (v, line, w) => {
    const keyword = line.words[0]!;
    w.lines(line, (l) => {
      const a = parseIpAddressLine(l, keyword, w.diagnostics, false);
      if (!a) return;
      if (kind === 'vip') {
        if (!familyMatches(v, a.family, l, `virtual address ${a.address}`, w.diagnostics)) return;
        v.virtualIpAddresses.push(a);
      } else v.excludedVirtualIpAddresses.push(a);
    });
  };
}

const authenticationSpec = blockSpec<InstanceDraft>('authentication', {
  auth_type: (v, line, w) => {
    const t = word(line, 1, w.diagnostics);
    if (t === 'PASS' || t === 'AH') v.authType = t;
    else if (t !== undefined) w.diagnostics.error(line, `${prefix(v)}: auth_type '${t}' is not PASS or AH`);
  },
  auth_pass: (v, line, w) => {
    const p = word(line, 1, w.diagnostics);
    if (p === undefined) return;
    if (p.length > 8) w.diagnostics.warning(line, `${prefix(v)}: auth_pass is longer than 8 characters - truncated`);
    v.authPass = p.slice(0, 8);
  },
});

const handlers: Record<string, H> = {
  state: (v, line, w) => {
    const s = word(line, 1, w.diagnostics);
    if (s === 'MASTER') v.state = 'MASTER';
    else if (s === 'BACKUP') {
      if (v.state === 'MASTER') w.diagnostics.warning(line, `${prefix(v)}: state previously set as MASTER - ignoring BACKUP`);
      else v.state = 'BACKUP';
    } else if (s !== undefined) {
      w.diagnostics.error(line, `${prefix(v)}: state '${s}' is not MASTER or BACKUP`);
    }
  },
  interface: (v, line, w) => {
    const name = word(line, 1, w.diagnostics, 'interface name');
    if (name === undefined) return;
    if (name.length >= 16) w.diagnostics.error(line, `interface: name '${name}' is longer than 15 characters`);
    else v.interface = name;
  },
  vrf: (v, line, w) => {
    const name = word(line, 1, w.diagnostics, 'VRF name');
    if (name !== undefined) v.vrf = name;
  },
  virtual_router_id: (v, line, w) => {
    const n = integer(line, 1, 1, 255, w.diagnostics);
    if (n !== undefined) v.virtualRouterId = n;
  },
  priority: (v, line, w) => {
    const n = integer(line, 1, 1, 255, w.diagnostics);
    if (n !== undefined) v.priority = n;
  },
  advert_int: (v, line, w) => {
    // keepalived: > 0, at most 255 s, 10 ms resolution in the VRRPv3 field.
    const s = seconds(line, 1, 0.01, 255, w.diagnostics);
    if (s !== undefined) v.advertInt = s;
  },
  version: (v, line, w) => {
    const n = integer(line, 1, 2, 3, w.diagnostics);
    if (n === undefined) return;
    if (n === 2 && v.family === 6) {
      w.diagnostics.error(line, `${prefix(v)}: version 2 cannot be used with IPv6`);
      return;
    }
    v.version = n as 2 | 3;
  },
  native_ipv6: (v, line, w) => {
    if (v.family === 4) {
      w.diagnostics.error(line, `${prefix(v)}: native_ipv6 given with IPv4 addresses`);
      return;
    }
    v.family = 6;
    v.nativeIpv6 = true;
    v.version = 3;
  },
  nopreempt: (v) => {
    v.nopreempt = true;
  },
  preempt: (v) => {
    v.nopreempt = false;
  },
  preempt_delay: (v, line, w) => {
    const s = seconds(line, 1, 0, 1000, w.diagnostics);
    if (s !== undefined) v.preemptDelaySeconds = s;
  },
  authentication: (v, line, w) => {
    v.authenticationBlock = true;
    w.block(v, authenticationSpec, line);
  },
  virtual_ipaddress: addressBlock('vip'),
  virtual_ipaddress_excluded: addressBlock('evip'),
  virtual_routes: (v, line, w) =>
    w.lines(line, (l) => {
      const r = parseRouteLine(l, w.diagnostics, false);
      if (r) v.virtualRoutes.push(r);
    }),
  virtual_rules: (v, line, w) =>
    w.lines(line, (l) => {
      const r = parseRuleLine(l, w.diagnostics, false, rulePriorities(w));
      if (r) v.virtualRules.push(r);
    }),
  unicast_src_ip: (v, line, w) => {
    v.unicastConfigured = true;
    sourceIp(v, line, w, 'unicast_src_ip');
  },
  mcast_src_ip: (v, line, w) => sourceIp(v, line, w, 'mcast_src_ip'),
  mcast_dst_ip: (v, line, w) => {
    const a = address(line.words[1], line, w.diagnostics, 'mcast_dst_ip');
    if (!a || !familyMatches(v, a.family, line, 'mcast_dst_ip', w.diagnostics)) return;
    const multicast = a.family === 4 ? /^2(2[4-9]|3\d)\./.test(a.address) : /^ff[0-9a-f]2:/.test(a.address);
    if (!multicast) {
      w.diagnostics.error(line, `mcast_dst_ip: ${a.address} is not a ${a.family === 6 ? 'link-local ' : ''}multicast address`);
      return;
    }
    v.mcastDstIp = a.address;
  },
  unicast_peer: (v, line, w) => {
    v.unicastConfigured = true;
    w.lines(line, (l) => {
      const a = address(l.words[0], l, w.diagnostics, 'unicast_peer');
      if (!a || !familyMatches(v, a.family, l, `unicast peer ${a.address}`, w.diagnostics)) return;
      const peer: Mutable<UnicastPeer> = { address: a.address, minTtl: 0, maxTtl: 255 };
      for (let i = 1; i < l.words.length; i += 2) {
        const opt = l.words[i]!;
        const value = l.words[i + 1];
        if (value === undefined) {
          w.diagnostics.error(l, `unicast_peer: ${opt} is missing a value`);
          break;
        }
        if (opt !== 'min_ttl' && opt !== 'max_ttl') {
          w.diagnostics.warning(l, `unicast_peer: unknown option '${opt}' - ignoring`);
          break;
        }
        const n = integerText(value, l, 0, 255, w.diagnostics, `unicast_peer ${opt}`);
        if (n === undefined) continue;
        if (opt === 'min_ttl') peer.minTtl = n;
        else peer.maxTtl = n;
        v.checkUnicastSrc = true;
      }
      if (peer.minTtl > peer.maxTtl) w.diagnostics.warning(l, `unicast_peer: min_ttl ${peer.minTtl} > max_ttl ${peer.maxTtl} - every packet will be discarded`);
      v.unicastPeers.push(peer);
    });
  },
  unicast_ttl: (v, line, w) => {
    const n = integer(line, 1, 0, 255, w.diagnostics);
    if (n !== undefined) v.unicastTtl = n;
  },
  unicast_fault_no_peer: (v) => {
    v.unicastConfigured = true;
    v.unicastFaultNoPeer = true;
  },
  check_unicast_src: (v) => {
    v.unicastConfigured = true;
    v.checkUnicastSrc = true;
  },
  old_unicast_checksum: (v, line, w) => {
    v.unicastConfigured = true;
    const mode = line.words[1];
    if (mode === undefined) v.oldUnicastChecksum = true;
    else if (mode === 'never') v.oldUnicastChecksumNever = true;
    else w.diagnostics.warning(line, `old_unicast_checksum: unknown mode '${mode}' - ignoring`);
  },
  track_src_ip: (v) => {
    v.trackSrcIp = true;
  },
  dont_track_primary: (v) => {
    v.dontTrackPrimary = true;
  },
  track_interface: trackHandler('track_interface'),
  track_script: trackHandler('track_script'),
  track_file: trackHandler('track_file'),
  track_process: trackHandler('track_process'),
  track_bfd: trackHandler('track_bfd'),
  use_vmac: (v, line, w) => {
    v.useVmac = parseUseVmac(line, prefix(v), w.diagnostics);
  },
  use_vmac_addr: (v) => {
    v.useVmacAddr = true;
  },
  vmac_xmit_base: (v) => {
    v.vmacXmitBase = true;
  },
  use_ipvlan: (v, line, w) => {
    if (v.useIpvlan) w.diagnostics.warning(line, `${prefix(v)}: use_ipvlan is already given - ignoring this one`);
    else v.useIpvlan = parseUseIpvlan(line, prefix(v), v, w.diagnostics);
  },
  accept: (v) => {
    v.accept = true;
  },
  no_accept: (v) => {
    v.accept = false;
  },
  skip_check_adv_addr: boolHandler('skipCheckAdvAddr'),
  strict_mode: boolHandler('strictMode'),
  promote_secondaries: (v) => {
    v.promoteSecondaries = true;
  },
  linkbeat_use_polling: (v, line, w) => {
    v.linkbeatUsePolling = true;
    w.diagnostics.warning(line, `${prefix(v)}: linkbeat_use_polling in vrrp_instance is deprecated - use linkbeat_interfaces`);
  },
  debug: (v, line, w) => {
    const n = integer(line, 1, 0, 4, w.diagnostics);
    if (n !== undefined) v.debug = n;
  },
  notify_master: notifyHandler('notifyMaster'),
  notify_backup: notifyHandler('notifyBackup'),
  notify_fault: notifyHandler('notifyFault'),
  notify_stop: notifyHandler('notifyStop'),
  notify: notifyHandler('notify'),
  notify_master_rx_lower_pri: notifyHandler('notifyMasterRxLowerPri'),
  notify_deleted: (v, line, w) => {
    if (v.notifyDeleted !== undefined) {
      w.diagnostics.warning(line, `${prefix(v)}: notify_deleted already given - ignoring`);
      return;
    }
    v.notifyDeleted = line.words.length > 1 ? (script(line, 1, w.diagnostics) ?? true) : true;
  },
  notify_priority_changes: boolHandler('notifyPriorityChanges'),
  smtp_alert: boolHandler('smtpAlert'),
  lvs_sync_daemon_interface: (v, line, w) => {
    w.diagnostics.warning(line, `${prefix(v)}: lvs_sync_daemon_interface is deprecated - use global_defs lvs_sync_daemon`);
    const name = word(line, 1, w.diagnostics);
    if (name !== undefined) v.lvsSyncDaemonInterface = name;
  },
  garp_master_delay: uintHandler('garpMasterDelay', 0, 4294),
  garp_master_repeat: (v, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n === undefined) return;
    if (n === 0) w.diagnostics.warning(line, 'garp_master_repeat: must be greater than 0 - using 1');
    v.garpMasterRepeat = Math.max(1, n);
  },
  garp_master_refresh: uintHandler('garpMasterRefresh', 0, 4294967295),
  garp_master_refresh_repeat: (v, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n === undefined) return;
    if (n === 0) w.diagnostics.warning(line, 'garp_master_refresh_repeat: must be greater than 0 - using 1');
    v.garpMasterRefreshRepeat = Math.max(1, n);
  },
  garp_lower_prio_delay: uintHandler('garpLowerPrioDelay', 0, 4294),
  garp_lower_prio_repeat: uintHandler('garpLowerPrioRepeat', 0, 4294967295),
  garp_extra_if: garpExtraIf,
  vmac_garp_intvl: (v, line, w) => {
    w.diagnostics.warning(line, `'vmac_garp_intvl' is deprecated - use 'garp_extra_if'`);
    garpExtraIf(v, line, w);
  },
  down_timer_adverts: (v, line, w) => {
    const n = integer(line, 1, 1, 100, w.diagnostics);
    if (n !== undefined) v.downTimerAdverts = n;
  },
  lower_prio_no_advert: boolHandler('lowerPrioNoAdvert'),
  higher_prio_send_advert: boolHandler('higherPrioSendAdvert'),
  kernel_rx_buf_size: (v, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n !== undefined) v.kernelRxBufSize = n;
  },
  announce_table: announceTableHandler<InstanceDraft>(),
};

function sourceIp(v: InstanceDraft, line: ConfigLine, w: Walker, keyword: 'unicast_src_ip' | 'mcast_src_ip'): void {
  const a = address(line.words[1], line, w.diagnostics, keyword);
  if (!a || !familyMatches(v, a.family, line, keyword, w.diagnostics)) return;
  v.sourceIp = a.address;
  v.sourceKeyword = keyword;
}

function garpExtraIf(v: InstanceDraft, line: ConfigLine, w: Walker): void {
  const all = line.words[1] === 'all';
  const n = integer(line, all ? 2 : 1, 0, 86400, w.diagnostics);
  if (n !== undefined) v.garpExtraIf = { interval: n, all };
}

export const VRRP_INSTANCE_SPEC = blockSpec<InstanceDraft>('vrrp_instance', handlers, { authentication: authenticationSpec });

/** Authentication as the model has it: keepalived keeps the type only with a password. */
export function authenticationOf(v: InstanceDraft): Authentication | undefined {
  if (v.authType === undefined) return undefined;
  return { type: v.authType, password: v.authPass ?? '' };
}

