/**
 * Completes the VRRP part once every block is read, as keepalived's vrrp_complete_instance does: version from
 * global_defs, priority from state (MASTER alone means the address owner, 255) and state from priority, strict
 * mode rules, authentication limits, tracked objects resolved by name (their own weight filled in), sync group
 * members checked. Whatever keepalived corrects and carries on with is a warning; an instance keepalived drops
 * is an error.
 */
import type { IpFamily } from '../protocol/ip.js';
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { BfdInstance, TrackFile, TrackProcess, TrackedByName, VrrpInstance, VrrpScript, VrrpSyncGroup } from './model.js';
import type { GlobalDefs } from './keywords/global-defs.js';
import { finishSyncGroup, type SyncGroupDraft } from './keywords/sync-group.js';
import { finishGroupTracking, withoutOwnInterface, withoutOwnWeights } from './finalize-tracking.js';
import type { BfdDraft, TrackFileDraft, TrackProcessDraft } from './keywords/trackers.js';
import { authenticationOf, type InstanceDraft } from './keywords/vrrp-instance.js';
import { finishVmac } from './finalize-vmac.js';
import type { ScriptDraft } from './keywords/vrrp-script.js';

export interface VrrpParts {
  readonly vrrpScripts: VrrpScript[];
  readonly trackFiles: TrackFile[];
  readonly trackProcesses: TrackProcess[];
  readonly bfdInstances: BfdInstance[];
  readonly vrrpSyncGroups: VrrpSyncGroup[];
  readonly vrrpInstances: VrrpInstance[];
}

const pos = (p: SourcePosition): SourcePosition => ({ file: p.file, line: p.line });

export function finishScripts(drafts: readonly ScriptDraft[], d: Diagnostics): VrrpScript[] {
  const out: VrrpScript[] = [];
  for (const s of drafts) {
    if (s.script === '') {
      d.error(s.at, `vrrp_script ${s.name}: no script given`);
      continue;
    }
    out.push({ ...s, at: pos(s.at), timeout: s.timeout ?? s.interval });
  }
  return out;
}

export function finishTrackFiles(drafts: readonly TrackFileDraft[], d: Diagnostics): TrackFile[] {
  const out: TrackFile[] = [];
  for (const t of drafts) {
    if (t.file === '') d.error(t.at, `track_file ${t.name}: no file given`);
    else out.push(t);
  }
  return out;
}

export function finishTrackProcesses(drafts: readonly TrackProcessDraft[], d: Diagnostics): TrackProcess[] {
  const out: TrackProcess[] = [];
  for (const t of drafts) {
    if (!t.processGiven) {
      d.error(t.at, `vrrp_track_process ${t.name}: no process given`);
      continue;
    }
    const { processGiven: _, ...rest } = t;
    if (rest.quorumMax !== undefined && rest.quorumMax < rest.quorum) d.warning(t.at, `vrrp_track_process ${t.name}: quorum_max ${rest.quorumMax} is below quorum ${rest.quorum}`);
    out.push(rest);
  }
  return out;
}

/** keepalived BFD_INAME_MAX: 32 bytes with the terminating NUL. */
const BFD_NAME_MAX = 31;
/** keepalived BFD_CONTROL_TTL / BFD_CONTROL_HOPLIMIT: the default `ttl` / `hoplimit` per family. */
const BFD_DEFAULT_TTL = { 4: 255, 6: 64 } as const;

/**
 * keepalived 2.2.7's bfd_end_handler (and alloc_bfd): a name of at most 31 bytes, a neighbor, a source of the
 * neighbor's family, no second instance for the same neighbor (and source), ttl 255 (IPv4) or hop limit 64
 * (IPv6) by default, max_hops no more than ttl; events to both processes unless `vrrp` or `checker` chose one.
 */
export function finishBfds(drafts: readonly BfdDraft[], d: Diagnostics): BfdInstance[] {
  const out: BfdInstance[] = [];
  for (const b of drafts) {
    if (new TextEncoder().encode(b.name).length > BFD_NAME_MAX) {
      d.error(b.at, `bfd_instance ${b.name}: name too long (maximum length is ${BFD_NAME_MAX} characters) - ignoring`);
      continue;
    }
    if (b.neighborIp === undefined) {
      d.error(b.at, `bfd_instance ${b.name}: no neighbor_ip given`);
      continue;
    }
    const family = familyOf(b.neighborIp);
    if (b.sourceIp !== undefined && familyOf(b.sourceIp) !== family) {
      d.error(b.at, `bfd_instance ${b.name}: source address ${b.sourceIp} and neighbor address ${b.neighborIp} are not of the same family, disabling instance`);
      continue;
    }
    if (out.some((o) => o.neighborIp === b.neighborIp && o.sourceIp === b.sourceIp)) {
      d.error(b.at, `bfd_instance ${b.name}: duplicate ${b.sourceIp !== undefined ? `source/neighbor address ${b.sourceIp}/` : 'neighbor address '}${b.neighborIp}, ignoring instance`);
      continue;
    }
    const ttl = b.ttl ?? BFD_DEFAULT_TTL[family];
    let maxHops = b.maxHops;
    if (maxHops > ttl) {
      d.error(b.at, `bfd_instance ${b.name}: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit`);
      maxHops = ttl;
    }
    const events = !b.vrrp && !b.checker ? { vrrp: true, checker: true } : {};
    out.push({ ...b, ttl, maxHops, ...events });
  }
  return out;
}

/** The BFD instances whose events go to the VRRP side (`vrrp`, or neither `vrrp` nor `checker`): what track_bfd can name. */
function vrrpBfds(bfds: readonly BfdInstance[] | undefined): BfdInstance[] | undefined {
  return bfds?.filter((b) => b.vrrp);
}

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

interface Named {
  readonly name: string;
  readonly weight: number;
  readonly weightReverse?: boolean | undefined;
}

/**
 * Keeps tracked entries whose target exists, filling in the target's own weight when none was given and its own
 * direction (`weight … reverse`) when the line says neither reverse nor noreverse.
 */
function resolveTracks(
  owner: string,
  at: SourcePosition,
  kind: string,
  tracks: readonly TrackedByName[],
  targets: readonly Named[] | undefined,
  d: Diagnostics,
): TrackedByName[] {
  const out: TrackedByName[] = [];
  for (const t of tracks) {
    if (!targets) {
      out.push(t);
      continue;
    }
    const target = targets.find((x) => x.name === t.name);
    if (!target) {
      d.warning(at, `${owner}: ${kind} '${t.name}' is not defined - ignoring`);
      continue;
    }
    out.push({ name: t.name, weight: t.weight ?? target.weight, reverse: t.reverse ?? target.weightReverse ?? false, ...(t.at ? { at: t.at } : {}) });
  }
  return out;
}

/** The global GARP settings an instance inherits, in seconds and counts. */
export interface GlobalGarp {
  readonly delay: number;
  readonly repeat: number;
  readonly refresh: number;
  readonly refreshRepeat: number;
  readonly lowerPrioDelay: number;
  readonly lowerPrioRepeat: number;
}

/**
 * global_defs' GARP settings as the instances inherit them. vrrp_min_garp turns the defaults still in place into
 * one announcement and no second burst (keepalived vrrp_min_garp_handler changes a value only while it is the
 * default; read after the keyword, a value equal to the default counts as given here, as in any order). The
 * lower-priority ones default to garp_master_repeat and _delay (keepalived vrrp_complete_init).
 */
export function globalGarp(g: GlobalDefs): GlobalGarp {
  const min = g.vrrpMinGarp === true;
  const delay = min && g.vrrpGarpMasterDelay === 5 ? 0 : g.vrrpGarpMasterDelay;
  const repeat = min && g.vrrpGarpMasterRepeat === 5 ? 1 : g.vrrpGarpMasterRepeat;
  // A refresh of no announcements (vrrp_min_garp with a refresh and its default repeat) is no refresh.
  const refreshRepeat = min && g.vrrpGarpMasterRefreshRepeat === 1 ? 0 : g.vrrpGarpMasterRefreshRepeat;
  return {
    delay,
    repeat,
    refresh: refreshRepeat === 0 ? 0 : g.vrrpGarpMasterRefresh,
    refreshRepeat: refreshRepeat === 0 ? 1 : refreshRepeat,
    lowerPrioDelay: g.vrrpGarpLowerPrioDelay ?? delay,
    lowerPrioRepeat: g.vrrpGarpLowerPrioRepeat ?? repeat,
  };
}

/** An IPv6 link-local address (fe80::/10). */
const isLinkLocal = (address: string): boolean => /^fe[89ab][0-9a-f]:/i.test(address);

/**
 * The settings strict mode decides (keepalived vrrp_complete_instance): unset, they take strict mode's value; given
 * against it, keepalived says so and resets them. Outside strict mode, the instance's own value or global_defs'
 * (the lower-priority GARPs' as globalGarp resolves them).
 */
function strictModeSettings(v: InstanceDraft, g: GlobalDefs, garp: GlobalGarp, strict: boolean, family: IpFamily, d: Diagnostics) {
  const name = `vrrp_instance ${v.name}`;
  const reset = <T>(given: T | undefined, wanted: T, what: string): T => {
    if (given !== undefined && given !== wanted) d.warning(v.at, `${name}: strict mode requires ${what} - resetting`);
    return wanted;
  };
  if (strict && family === 6 && v.unicastPeers.length === 0 && v.virtualIpAddresses.length > 0 && !isLinkLocal(v.virtualIpAddresses[0]!.address)) {
    d.warning(v.at, `${name}: the first IPv6 VIP address must be link local in strict mode`);
  }
  if (!strict) {
    return {
      lowerPrioNoAdvert: v.lowerPrioNoAdvert ?? g.vrrpLowerPrioNoAdvert ?? false,
      higherPrioSendAdvert: v.higherPrioSendAdvert ?? g.vrrpHigherPrioSendAdvert ?? false,
      garpLowerPrioDelay: v.garpLowerPrioDelay ?? garp.lowerPrioDelay,
      garpLowerPrioRepeat: v.garpLowerPrioRepeat ?? garp.lowerPrioRepeat,
    };
  }
  return {
    // RFC 5798 §6.4.3: a master discards a lower priority's advertisement, and sends no gratuitous ARPs for it.
    lowerPrioNoAdvert: reset(v.lowerPrioNoAdvert, true, 'lower_prio_no_advert'),
    higherPrioSendAdvert: reset(v.higherPrioSendAdvert, false, 'higher_prio_send_advert to be off'),
    garpLowerPrioDelay: reset(v.garpLowerPrioDelay === 0 ? undefined : v.garpLowerPrioDelay, 0, 'garp_lower_prio_delay 0'),
    garpLowerPrioRepeat: reset(v.garpLowerPrioRepeat === 0 ? undefined : v.garpLowerPrioRepeat, 0, 'garp_lower_prio_repeat 0'),
    // A VMAC's MAC and vmac_xmit_base under strict mode: config/finalize-vmac.ts, in keepalived's order.
  };
}

function finishInstance(v: InstanceDraft, g: GlobalDefs, parts: Omit<VrrpParts, 'vrrpInstances' | 'vrrpSyncGroups'>, d: Diagnostics): VrrpInstance | undefined {
  const name = `vrrp_instance ${v.name}`;
  if (v.virtualRouterId === undefined) {
    d.error(v.at, `${name}: virtual_router_id is missing`);
    return undefined;
  }
  if (v.interface === undefined && v.sourceIp === undefined) {
    d.error(v.at, `${name}: interface is missing (unicast instances need unicast_src_ip or interface)`);
    return undefined;
  }
  const family = v.family ?? 4;
  const strict = v.strictMode ?? g.vrrpStrict;
  let version = v.version ?? (family === 6 ? 3 : g.vrrpVersion);
  if (family === 6 && version === 2 && strict) {
    d.warning(v.at, `${name}: IPv6 cannot be used with VRRP version 2 in strict mode - using version 3`);
    version = 3;
  }
  if (v.virtualIpAddresses.length === 0) {
    if (version === 3 || strict) {
      d.error(v.at, `${name}: no virtual_ipaddress given; VRRPv3 and strict mode need at least one`);
      return undefined;
    }
    d.warning(v.at, `${name}: no virtual_ipaddress given; at least one is sensible`);
  }
  const priority = v.priority ?? (v.state === 'MASTER' ? 255 : 100);
  const owner = priority === 255;
  let state: 'MASTER' | 'BACKUP' = v.state ?? (owner ? 'MASTER' : 'BACKUP');
  if (strict && v.state !== undefined && (state === 'MASTER') !== owner) {
    d.warning(v.at, `${name}: in strict mode state MASTER must match being the address owner (priority 255)`);
    state = owner ? 'MASTER' : 'BACKUP';
  }
  let authentication = authenticationOf(v);
  if (authentication) {
    let drop: string | undefined;
    if (strict) drop = 'strict mode does not support authentication';
    else if (version === 3) drop = 'VRRP version 3 does not support authentication';
    else if (authentication.password === '') drop = 'authentication given without auth_pass';
    else if (family === 6 && authentication.type === 'AH') drop = 'AH authentication cannot be used with IPv6';
    if (drop !== undefined) {
      d.warning(v.at, `${name}: ${drop} - ignoring authentication`);
      authentication = undefined;
    } else if (authentication.type === 'AH' && state === 'MASTER' && !owner) {
      d.warning(v.at, `${name}: initial state MASTER is incompatible with AH authentication - using BACKUP`);
      state = 'BACKUP';
    }
  }
  if (v.unicastConfigured && v.unicastPeers.length === 0 && !v.unicastFaultNoPeer) {
    d.warning(v.at, `${name}: a unicast keyword was given without unicast_peer - using multicast (deprecated)`);
  }
  // Strict mode with unicast peers is not refused: keepalived 2.2.7 means to refuse it on a multicast interface,
  // but tests VRRP_FLAG_UNICAST before setting it (vrrp_complete_instance), so -t passes and the instance runs
  // unicast (measured in a namespace; test/config/differential/valid/46-strict-unicast.conf).
  let unicastTtl = v.unicastTtl;
  if (unicastTtl !== undefined && v.unicastPeers.length === 0) {
    d.warning(v.at, `${name}: unicast_ttl without unicast peers - ignoring`);
    unicastTtl = undefined;
  }
  let nopreempt = v.nopreempt;
  let preemptDelay = v.preemptDelaySeconds;
  if (owner && nopreempt) {
    d.warning(v.at, `${name}: nopreempt is incompatible with priority 255 - ignoring nopreempt`);
    nopreempt = false;
  }
  if (state === 'MASTER') {
    if (nopreempt) {
      d.warning(v.at, `${name}: nopreempt does not work with initial state MASTER - ignoring nopreempt`);
      nopreempt = false;
    }
    if (preemptDelay > 0) {
      d.warning(v.at, `${name}: preempt_delay does not work with initial state MASTER - ignoring preempt_delay`);
      preemptDelay = 0;
    }
  }
  if (preemptDelay > 0 && (strict || nopreempt)) {
    d.warning(v.at, `${name}: preempt_delay is incompatible with ${strict ? 'strict mode' : 'nopreempt'} - ignoring preempt_delay`);
    preemptDelay = 0;
  }
  let downTimerAdverts = v.downTimerAdverts ?? g.vrrpDownTimerAdverts;
  if (downTimerAdverts !== 3 && strict) {
    d.warning(v.at, `${name}: down_timer_adverts is incompatible with strict mode - using 3`);
    downTimerAdverts = 3;
  }
  const garp = globalGarp(g);
  let accept = v.accept ?? (owner ? true : !strict);
  if (accept && !owner && strict && version === 2) {
    d.warning(v.at, `${name}: accept mode for VRRP version 2 does not comply with RFC 3768 in strict mode - ignoring accept`);
    accept = false;
  }
  const forStrict = strictModeSettings(v, g, garp, strict, family, d);
  const vmac = finishVmac(v, name, v.at, strict, d);
  const advertInt = v.advertInt ?? 1;
  if (version === 2 && !Number.isInteger(advertInt)) {
    d.warning(v.at, `${name}: VRRP version 2 advertises whole seconds - advert_int ${advertInt} is sent as ${Math.max(1, Math.floor(advertInt))}`);
  }
  const tracks = {
    interfaces: v.tracks.track_interface.map((t) => ({ ...t, weight: t.weight ?? 0, reverse: t.reverse ?? false })),
    scripts: resolveTracks(name, v.at, 'track_script', v.tracks.track_script, parts.vrrpScripts, d),
    files: resolveTracks(name, v.at, 'track_file', v.tracks.track_file, parts.trackFiles, d),
    processes: resolveTracks(name, v.at, 'track_process', v.tracks.track_process, parts.trackProcesses, d),
    bfds: resolveTracks(name, v.at, 'track_bfd', v.tracks.track_bfd, vrrpBfds(parts.bfdInstances), d),
  };
  return {
    name: v.name,
    at: pos(v.at),
    state,
    interface: v.interface ?? '',
    vrf: v.vrf,
    virtualRouterId: v.virtualRouterId,
    priority,
    advertInt,
    advertIntervalCs: Math.round(advertInt * 100),
    version,
    family,
    nopreempt,
    preemptDelaySeconds: preemptDelay,
    lowerPrioNoAdvert: forStrict.lowerPrioNoAdvert,
    higherPrioSendAdvert: forStrict.higherPrioSendAdvert,
    authentication,
    virtualIpAddresses: vmac.virtualIpAddresses,
    excludedVirtualIpAddresses: vmac.excludedVirtualIpAddresses,
    virtualRoutes: v.virtualRoutes,
    virtualRules: v.virtualRules,
    unicastSrcIp: v.sourceIp,
    mcastSrcIp: v.sourceKeyword === 'mcast_src_ip' ? v.sourceIp : undefined,
    mcastDstIp: v.mcastDstIp ?? (v.unicastPeers.length === 0 ? (family === 4 ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6) : undefined),
    unicastPeers: v.unicastPeers,
    unicastTtl,
    unicastFaultNoPeer: v.unicastFaultNoPeer,
    checkUnicastSrc: v.checkUnicastSrc || g.vrrpCheckUnicastSrc,
    trackSrcIp: v.trackSrcIp,
    dontTrackPrimary: v.dontTrackPrimary,
    trackInterfaces: tracks.interfaces,
    trackScripts: tracks.scripts,
    trackFiles: tracks.files,
    trackProcesses: tracks.processes,
    trackBfds: tracks.bfds,
    useVmac: vmac.useVmac,
    useVmacAddr: v.useVmacAddr,
    vmacXmitBase: vmac.vmacXmitBase,
    useIpvlan: vmac.useIpvlan,
    nativeIpv6: v.nativeIpv6,
    accept,
    skipCheckAdvAddr: v.skipCheckAdvAddr ?? g.vrrpSkipCheckAdvAddr,
    strictMode: strict,
    promoteSecondaries: vmac.promoteSecondaries,
    linkbeatUsePolling: v.linkbeatUsePolling,
    debug: v.debug,
    notifyMaster: v.notifyMaster,
    notifyBackup: v.notifyBackup,
    notifyFault: v.notifyFault,
    notifyStop: v.notifyStop,
    notifyDeleted: v.notifyDeleted,
    notify: v.notify,
    notifyMasterRxLowerPri: v.notifyMasterRxLowerPri,
    notifyPriorityChanges: v.notifyPriorityChanges ?? g.vrrpNotifyPriorityChanges,
    smtpAlert: v.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert,
    garpMasterDelay: v.garpMasterDelay ?? garp.delay,
    garpMasterRepeat: v.garpMasterRepeat ?? garp.repeat,
    garpMasterRefresh: v.garpMasterRefresh ?? garp.refresh,
    garpMasterRefreshRepeat: v.garpMasterRefreshRepeat ?? garp.refreshRepeat,
    garpLowerPrioDelay: forStrict.garpLowerPrioDelay,
    garpLowerPrioRepeat: forStrict.garpLowerPrioRepeat,
    garpExtraIf: v.garpExtraIf ?? g.vrrpGarpExtraIf,
    downTimerAdverts,
    kernelRxBufSize: v.kernelRxBufSize,
    announceTable: v.announceTable,
    oldUnicastChecksum: v.oldUnicastChecksum,
    oldUnicastChecksumNever: v.oldUnicastChecksumNever,
    lvsSyncDaemonInterface: v.lvsSyncDaemonInterface,
  };
}

/** Two multicast instances on one interface and family cannot share a VRID (nor unicast ones with a common peer). */
function checkVridClashes(instances: readonly VrrpInstance[], d: Diagnostics): VrrpInstance[] {
  const kept: VrrpInstance[] = [];
  for (const v of instances) {
    const clash = kept.find(
      (o) =>
        o.interface === v.interface &&
        o.family === v.family &&
        o.virtualRouterId === v.virtualRouterId &&
        (o.mcastDstIp ?? '') === (v.mcastDstIp ?? '') &&
        ((o.unicastPeers.length === 0 && v.unicastPeers.length === 0) || o.unicastPeers.some((p) => v.unicastPeers.some((q) => q.address === p.address))),
    );
    if (clash) {
      d.error(v.at, `vrrp_instance ${v.name}: virtual_router_id ${v.virtualRouterId} is already used by vrrp_instance ${clash.name} on ${v.interface || 'the same addresses'} (IPv${v.family})`);
      continue;
    }
    kept.push(v);
  }
  return kept;
}

function finishSyncGroups(drafts: readonly SyncGroupDraft[], instances: VrrpInstance[], parts: Omit<VrrpParts, 'vrrpInstances' | 'vrrpSyncGroups'>, d: Diagnostics): VrrpSyncGroup[] {
  const memberOf = new Map<string, string>();
  const out: VrrpSyncGroup[] = [];
  for (const draft of drafts) {
    const name = `vrrp_sync_group ${draft.name}`;
    const members: string[] = [];
    for (const m of draft.group) {
      if (!instances.some((i) => i.name === m)) {
        d.warning(draft.at, `${name}: vrrp_instance '${m}' does not exist - ignoring`);
        continue;
      }
      const other = memberOf.get(m);
      if (other !== undefined) {
        d.error(draft.at, `${name}: vrrp_instance '${m}' is already in vrrp_sync_group ${other}`);
        continue;
      }
      memberOf.set(m, draft.name);
      members.push(m);
    }
    if (members.length === 0) {
      d.warning(draft.at, `${name}: no existing vrrp_instance in group - ignoring the group`);
      continue;
    }
    if (members.length === 1) d.warning(draft.at, `${name}: has only one vrrp_instance - this probably is not what you want`);
    const g = finishSyncGroup({ ...draft, group: members });
    out.push({
      ...g,
      trackScripts: resolveTracks(name, draft.at, 'track_script', g.trackScripts, parts.vrrpScripts, d),
      trackFiles: resolveTracks(name, draft.at, 'track_file', g.trackFiles, parts.trackFiles, d),
      trackProcesses: resolveTracks(name, draft.at, 'track_process', g.trackProcesses, parts.trackProcesses, d),
      trackBfds: resolveTracks(name, draft.at, 'track_bfd', g.trackBfds, vrrpBfds(parts.bfdInstances), d),
      trackInterfaces: g.trackInterfaces.map((t) => ({ ...t, weight: t.weight ?? 0, reverse: t.reverse ?? false })),
    });
  }
  // keepalived's rules for tracking weights in sync groups and for the address owner (finalize-tracking.ts).
  for (const [i, v] of instances.entries()) {
    const group = out.find((g) => g.name === memberOf.get(v.name));
    instances[i] = withoutOwnWeights(withoutOwnInterface(v, d), group, d);
  }
  return out.map((g) => finishGroupTracking(g, instances.filter((v) => g.group.includes(v.name)), d));
}

export function finishVrrp(
  g: GlobalDefs,
  drafts: {
    readonly scripts: readonly ScriptDraft[];
    readonly trackFiles: readonly TrackFileDraft[];
    readonly trackProcesses: readonly TrackProcessDraft[];
    readonly bfdInstances: readonly BfdDraft[];
    readonly syncGroups: readonly SyncGroupDraft[];
    readonly instances: readonly InstanceDraft[];
  },
  d: Diagnostics,
): VrrpParts {
  const parts = {
    vrrpScripts: finishScripts(drafts.scripts, d),
    trackFiles: finishTrackFiles(drafts.trackFiles, d),
    trackProcesses: finishTrackProcesses(drafts.trackProcesses, d),
    bfdInstances: finishBfds(drafts.bfdInstances, d),
  };
  const finished: VrrpInstance[] = [];
  for (const v of drafts.instances) {
    const i = finishInstance(v, g, parts, d);
    if (i) finished.push(i);
  }
  const vrrpInstances = checkVridClashes(finished, d);
  const vrrpSyncGroups = finishSyncGroups(drafts.syncGroups, vrrpInstances, parts, d);
  return { ...parts, vrrpInstances, vrrpSyncGroups };
}
