/**
 * Turns the parsed configuration (config/model.ts) into what the VRRP runtime runs: one VrrpInstanceSpec per
 * `vrrp_instance`, one SyncGroupSpec per `vrrp_sync_group`. Defaults were applied by the parser; what is decided
 * here is how keywords combine (e.g. `dev` defaulting to the instance's interface, tracked objects' weights).
 */
import type { InterfaceAddress, LinkbeatType } from '../../transport/address-manager.js';
import type { RouteSpec, RuleSpec } from '../../transport/routes.js';
import type { TrackerInput } from '../../machines/vrrp-instance.js';
import type { Config, GlobalDefs, IpAddress, Route, Rule, TrackedByName, VrrpInstance } from '../../config/model.js';
import { DEFAULT_VIP_FIREWALL_PRIORITY, DEFAULT_VIP_FIREWALL_TABLE, type VipFirewallAddress, type VipFirewallSettings } from '../../transport/vip-firewall.js';
import type { SyncGroupSpec, VrrpInstanceSpec, VrrpNodeSpec } from './instance-spec.js';
import { capDelay, type InterfaceDelaySpec } from './link-debounce.js';
import { addressTrackerId, interfaceTrackerId } from './vrrp-node.js';
import { topologies, trackedAddressInterfaces, type InstanceTopology } from './virtual-interfaces.js';
import { withGroupTracking } from './group-tracking.js';
import { receiveBufferShare } from './receive-buffer.js';

/** A static_ipaddress without `dev` goes on global_defs default_interface (keepalived's get_default_if). */
export function staticAddressInterface(a: IpAddress, config: Config): string {
  return a.dev ?? config.globalDefs.defaultInterface;
}

export type KeepalivedConfig = Config;

/**
 * A virtual_ipaddress / virtual_ipaddress_excluded entry as keepalived adds it (vrrp_ipaddress.c): its options, and
 * an IPv6 /128 deprecated (preferred lifetime 0) unless `preferred_lft` says otherwise (keepalived.conf(5)); IPv4
 * addresses have no lifetimes.
 */
export function addressOf(vip: IpAddress, onto: string): InterfaceAddress {
  const flags = {
    ...(vip.home ? { home: true } : {}),
    ...(vip.mngtmpaddr ? { mngtmpaddr: true } : {}),
    ...(vip.noprefixroute ? { noprefixroute: true } : {}),
    ...(vip.autojoin ? { autojoin: true } : {}),
  };
  const preferred = vip.family === 6 ? (vip.preferredLft ?? (vip.prefix === 128 ? 0 : 'forever')) : 'forever';
  return {
    address: vip.address,
    prefix: vip.prefix,
    family: vip.family,
    interface: onto,
    scope: vip.scope,
    label: vip.label,
    broadcast: vip.broadcast,
    ...(vip.peer !== undefined ? { peer: vip.peer } : {}),
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
    ...(vip.family === 6 && vip.nodad ? { dad: true } : {}),
    ...(preferred !== 'forever' ? { preferredLifetime: preferred } : {}),
  };
}

/** global_defs `nftables [NAME]`, `nftables_priority`, `nftables_counters` (vrrp_iptables means the defaults). */
export function vipFirewallSettings(g: GlobalDefs): VipFirewallSettings {
  return {
    table: typeof g.nftables === 'string' ? g.nftables : DEFAULT_VIP_FIREWALL_TABLE,
    priority: g.nftablesPriority ?? DEFAULT_VIP_FIREWALL_PRIORITY,
    counters: g.nftablesCounters,
  };
}

/**
 * keepalived vrrp_handle_accept_mode: the address owner and an instance in accept mode let traffic in; the others
 * drop it while master. A link-local address is matched with its interface by name only with dont_track_primary
 * (and not nftables_ifindex), for the addresses on the instance's interface or marked no_track.
 */
function firewalledOf(instance: VrrpInstance, g: GlobalDefs, vips: readonly IpAddress[], held: readonly InterfaceAddress[], onto: string): VipFirewallAddress[] {
  if (instance.priority === 255 || instance.accept) return [];
  return held.map((a, i) => ({
    address: a.address,
    family: a.family,
    interface: a.interface,
    byName: instance.dontTrackPrimary && !g.nftablesIfindex && (a.interface === onto || vips[i]!.noTrack),
  }));
}

/** virtual_ipaddress and virtual_ipaddress_excluded both go on while master; only the former are advertised. */
function addressesOf(instance: VrrpInstance, topology: InstanceTopology): { advertised: InterfaceAddress[]; excluded: InterfaceAddress[] } {
  const n = instance.virtualIpAddresses.length;
  return {
    advertised: instance.virtualIpAddresses.map((v, i) => addressOf(v, topology.addressInterfaces[i]!)),
    excluded: instance.excludedVirtualIpAddresses.map((v, i) => addressOf(v, topology.addressInterfaces[n + i]!)),
  };
}

/** What goes to the kernel for each route and rule (resolved by config/finalize-routes.ts). */
export function routeSpecs(routes: readonly Route[]): RouteSpec[] {
  return routes.flatMap((r) => (r.kernel ? [r.kernel] : []));
}

export function ruleSpecs(rules: readonly Rule[]): RuleSpec[] {
  return rules.flatMap((r) => (r.kernel ? [r.kernel] : []));
}

/**
 * The interfaces of tracked routes (`dev`) and rules (`iif`, `oif`): keepalived tracks them for the instance with
 * weight 0, so the instance goes to FAULT while one is down, even one track_interface gave a weight (vrrp.c
 * vrrp_complete_instance, add_vrrp_to_interface). So are those of the static routes (`dev`) and rules (`iif`)
 * whose track_group names the instance (vrrp_static_track.c static_track_group_init).
 */
function routeInterfaces(instance: VrrpInstance, config: Config, topology: InstanceTopology): string[] {
  const groups = new Set(config.trackGroups.filter((g) => g.group.includes(instance.name)).map((g) => g.name));
  const inGroup = (r: { trackGroup?: string | undefined }): boolean => r.trackGroup !== undefined && groups.has(r.trackGroup);
  const names = [
    ...routeSpecs(instance.virtualRoutes).flatMap((r) => (r.tracked && r.dev !== undefined ? [r.dev] : [])),
    ...ruleSpecs(instance.virtualRules).flatMap((r) => (r.tracked ? [r.iif, r.oif].filter((n): n is string => n !== undefined) : [])),
    ...routeSpecs(config.staticRoutes.filter(inGroup)).flatMap((r) => (r.tracked && r.dev !== undefined ? [r.dev] : [])),
    ...ruleSpecs(config.staticRules.filter(inGroup)).flatMap((r) => (r.tracked && r.iif !== undefined ? [r.iif] : [])),
    ...config.staticIpAddresses.filter((a) => inGroup(a) && !a.noTrack).map((a) => staticAddressInterface(a, config)),
    // The interfaces of the VIPs (keepalived's TRACK_ADDR): the instance cannot hold an address on a link that is
    // down. Its own interface (and its VMAC, which follows it) are tracked anyway, or not with dont_track_primary.
    ...trackedAddressInterfaces(instance, topology).filter((name) => name !== instance.interface && name !== topology.own?.name),
  ];
  return [...new Set(names)];
}

/** A tracked object as the instance machine sees it: its weight and direction were resolved by config/finalize-vrrp.ts. */
function tracker(id: string, t: TrackedByName, up: boolean): TrackerInput {
  return { id, weight: t.weight ?? 0, ...(t.reverse ? { reverse: true } : {}), up };
}

/** What tracks objects: a vrrp_instance, or a vrrp_sync_group for each of its members. */
type Tracking = Pick<VrrpInstance, 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfds'>;

/**
 * track_interface / track_script / track_file / track_process / track_bfd become trackers; scripts start up unless
 * init_fail; a BFD session starts down (keepalived's bfd_up is false until the BFD process reports it Up), so a
 * weight 0 track_bfd holds the instance in FAULT until its session is Up (actors/bfd/node-bfd.ts publishes `bfd:NAME`).
 */
function trackersOf(owner: Tracking, config: Config): TrackerInput[] {
  const trackers: TrackerInput[] = [];
  for (const t of owner.trackInterfaces) trackers.push(tracker(interfaceTrackerId(t.name), t, true));
  for (const t of owner.trackScripts) {
    const script = config.vrrpScripts.find((s) => s.name === t.name);
    trackers.push(tracker(`script:${t.name}`, t, !(script?.initFail ?? false)));
  }
  for (const t of owner.trackFiles) trackers.push(tracker(`file:${t.name}`, t, true));
  for (const t of owner.trackProcesses) trackers.push(tracker(`process:${t.name}`, t, true));
  for (const t of owner.trackBfds) trackers.push(tracker(`bfd:${t.name}`, t, false));
  return trackers;
}

/** The instance's trackers, with those of its sync group's own tracking (actors/vrrp/group-tracking.ts). */
function instanceTrackers(instance: VrrpInstance, config: Config, topology: InstanceTopology): TrackerInput[] {
  const own = trackersOf(instance, config);
  // keepalived puts an IPv4 instance whose ipvlan has no address in FAULT for good (a configuration fault).
  if (topology.own?.kind === 'ipvlan' && topology.own.address === undefined && instance.family === 4) {
    own.unshift({ id: 'config:ipvlan-address', weight: 0, up: false });
  }
  for (const name of routeInterfaces(instance, config, topology)) {
    const id = interfaceTrackerId(name);
    const i = own.findIndex((t) => t.id === id);
    if (i >= 0) own[i] = { ...own[i]!, weight: 0 };
    else own.push({ id, weight: 0, up: true });
  }
  // track_src_ip: the instance is FAULT while its unicast_src_ip is not on its interface; keepalived ignores the
  // keyword without unicast_src_ip (vrrp.c vrrp_complete_instance).
  if (instance.trackSrcIp && instance.unicastSrcIp !== undefined) {
    own.push({ id: addressTrackerId(instance.interface, instance.unicastSrcIp), weight: 0, up: true });
  }
  const group = config.vrrpSyncGroups.find((g) => g.group.includes(instance.name));
  return group ? withGroupTracking(own, trackersOf(group, config), interfaceTrackerId(instance.interface)) : own;
}

/**
 * garp_extra_if: the addresses announced every interval, one per interface (the first there, VIPs before eVIPs),
 * on the interfaces of VIPs other than the instance's own (keepalived vrrp_send_vmac_update). Without `all` only
 * VMACs of a VIP's own would count, and vigil makes none: keepalived then turns the keyword off (vrrp.c
 * vrrp_complete_instance), and so does an instance whose VIPs are all on its own interface. The instance's own
 * interface is announced on too with vmac_xmit_base, whose advertisements leave from the base interface.
 */
function extraAnnouncements(instance: VrrpInstance, addresses: readonly InterfaceAddress[], own: string): InterfaceAddress[] {
  const extra = instance.garpExtraIf;
  if (extra === undefined || extra.interval === 0 || !extra.all) return [];
  if (!addresses.some((a) => a.interface !== own)) return [];
  const out = new Map<string, InterfaceAddress>();
  const xmitBase = instance.useVmac !== undefined && instance.vmacXmitBase;
  for (const a of addresses) if ((a.interface !== own || xmitBase) && !out.has(a.interface)) out.set(a.interface, a);
  return [...out.values()];
}

export function instanceSpec(instance: VrrpInstance, config: Config, topology = topologies(config).get(instance)!): VrrpInstanceSpec {
  const { advertised, excluded } = addressesOf(instance, topology);
  const own = topology.own;
  // use_ipvlan ADDRESS: the advertisements' source unless one is configured (keepalived's vrrp_ipvlan_handler).
  const source = instance.unicastSrcIp ?? (own?.kind === 'ipvlan' ? own.address?.address : undefined);
  // keepalived's vrrp->ifp: the instance's VMAC or ipvlan, else its interface (the VIP firewall's link-local rule).
  const onto = own?.name ?? instance.interface;
  const extra = extraAnnouncements(instance, [...advertised, ...excluded], onto);
  return {
    name: instance.name,
    vrid: instance.virtualRouterId,
    version: instance.version,
    priority: instance.priority,
    advertIntervalCs: instance.advertIntervalCs,
    preempt: !instance.nopreempt,
    preemptDelayMs: instance.preemptDelaySeconds * 1000,
    lowerPrioNoAdvert: instance.lowerPrioNoAdvert,
    higherPrioSendAdvert: instance.higherPrioSendAdvert,
    downTimerAdverts: instance.downTimerAdverts,
    interface: instance.interface,
    family: instance.family,
    authType: instance.authentication?.type === 'PASS' ? 1 : instance.authentication?.type === 'AH' ? 2 : 0,
    authPassword: instance.authentication?.password ?? '',
    virtualAddresses: [...advertised, ...excluded],
    advertisedAddresses: advertised.map((a) => a.address),
    unicastSourceAddress: source,
    unicastPeers: instance.unicastPeers.map((p) => p.address),
    ...unicastAndMulticast(instance),
    trackers: [...instanceTrackers(instance, config, topology), ...configFaults(instance)],
    dontTrackPrimary: instance.dontTrackPrimary,
    oldUnicastChecksum: instance.oldUnicastChecksumNever ? 'never' : instance.oldUnicastChecksum ? 'always' : 'auto',
    garpMasterDelayMs: instance.garpMasterDelay * 1000,
    garpMasterRepeat: instance.garpMasterRepeat,
    garpMasterRefreshMs: instance.garpMasterRefresh * 1000,
    garpMasterRefreshRepeat: instance.garpMasterRefreshRepeat,
    garpIntervalMs: garpIntervalMs(instance, config),
    garpLowerPrioRepeat: instance.garpLowerPrioRepeat,
    garpLowerPrioDelayMs: instance.garpLowerPrioDelay * 1000,
    garpExtraIfMs: extra.length > 0 ? instance.garpExtraIf!.interval * 1000 : 0,
    extraAnnouncements: extra,
    virtualRoutes: routeSpecs(instance.virtualRoutes),
    virtualRules: ruleSpecs(instance.virtualRules),
    vmac: own !== undefined ? { name: own.name, xmitBase: instance.vmacXmitBase, kind: own.kind } : undefined,
    interfaces: topology.interfaces,
    receiveBuffer: receiveBufferShare(instance, advertised.length, config.globalDefs),
    firewalled: firewalledOf(instance, config.globalDefs, [...instance.virtualIpAddresses, ...instance.excludedVirtualIpAddresses], [...advertised, ...excluded], onto),
  };
}

/** Tracker id of keepalived's `unicast_fault_no_peer` with no peer: down for the life of the instance. */
export const NO_UNICAST_PEER_TRACKER = 'config:unicast_fault_no_peer';

/**
 * Faults of the configuration that hold the instance in FAULT, as trackers that are down and never come up:
 * `unicast_fault_no_peer` without any unicast_peer (keepalived's "Cannot use unicast without any peers - going to
 * fault state", a config fault until the next reload).
 */
function configFaults(instance: VrrpInstance): TrackerInput[] {
  return instance.unicastFaultNoPeer && instance.unicastPeers.length === 0 ? [{ id: NO_UNICAST_PEER_TRACKER, weight: 0, up: false }] : [];
}

/**
 * The multicast group or the unicast settings (finalize-vrrp.ts applied the global defaults); min_ttl / max_ttl
 * on a peer turn check_unicast_src on (keepalived vrrp_data.c alloc_vrrp_unicast_peer).
 */
function unicastAndMulticast(
  instance: VrrpInstance,
): Pick<VrrpInstanceSpec, 'multicastGroup' | 'unicastTtl' | 'unicastPeerTtls' | 'checkUnicastSource' | 'skipCheckAdvAddr'> {
  const unicast = instance.unicastPeers.length > 0;
  return {
    multicastGroup: unicast ? undefined : instance.mcastDstIp,
    unicastTtl: unicast ? instance.unicastTtl : undefined,
    unicastPeerTtls: instance.unicastPeers.filter((p) => p.minTtl !== 0 || p.maxTtl !== 255).map((p) => ({ address: p.address, minTtl: p.minTtl, maxTtl: p.maxTtl })),
    checkUnicastSource: unicast && instance.checkUnicastSrc,
    skipCheckAdvAddr: instance.skipCheckAdvAddr,
  };
}

/** A garp_group naming the interface wins over global_defs vrrp_garp_interval / vrrp_gna_interval. */
function garpIntervalMs(instance: VrrpInstance, config: Config): number {
  const group = config.garpGroups.find((g) => g.interface === instance.interface || g.interfaces.includes(instance.interface));
  const ipv6 = instance.family === 6;
  const seconds = (ipv6 ? group?.gnaInterval : group?.garpInterval) ?? (ipv6 ? config.globalDefs.vrrpGnaInterval : config.globalDefs.vrrpGarpInterval) ?? 0;
  return Math.round(seconds * 1000);
}

/**
 * interface_up_down_delays in milliseconds, cut for every instance on the interface (./link-debounce.ts capDelay;
 * a shorter interval learnt from a master cuts them again at run time).
 */
function interfaceDelays(config: Config): InterfaceDelaySpec[] {
  return config.interfaceUpDownDelays.map((d) => {
    let downMs = d.downDelay * 1000;
    let upMs = d.upDelay * 1000;
    for (const i of config.vrrpInstances.filter((v) => v.interface === d.interface)) {
      downMs = capDelay(downMs, i.downTimerAdverts, i.advertIntervalCs * 10);
      upMs = capDelay(upMs, i.downTimerAdverts, i.advertIntervalCs * 10);
    }
    return { interface: d.interface, downMs, upMs };
  });
}

/**
 * The interfaces keepalived polls (vrrp.c vrrp_complete_instance, vrrp_if.c init_interface_linkbeat): those of
 * linkbeat_interfaces, and an instance's own with linkbeat_use_polling (its own or the global one), but only
 * those an instance follows (its own interface or a track_interface; vigil's VMACs are never named here).
 */
function polledInterfaces(config: Config): string[] {
  const tracked = new Set(config.vrrpInstances.flatMap((i) => [i.interface, ...i.trackInterfaces.map((t) => t.name)]));
  for (const g of config.vrrpSyncGroups) for (const t of g.trackInterfaces) tracked.add(t.name);
  const wanted = new Set(config.linkbeatInterfaces.map((l) => l.name));
  for (const i of config.vrrpInstances) if (i.linkbeatUsePolling || config.globalDefs.linkbeatUsePolling === true) wanted.add(i.interface);
  return [...wanted].filter((name) => tracked.has(name));
}

export function nodeSpec(config: Config): VrrpNodeSpec {
  const all = topologies(config);
  const instances = config.vrrpInstances.map((i) => instanceSpec(i, config, all.get(i)));
  const syncGroups: SyncGroupSpec[] = config.vrrpSyncGroups.map((g) => ({ name: g.name, members: g.group }));
  return {
    instances,
    syncGroups,
    startupDelayMs: Math.round((config.globalDefs.vrrpStartupDelay ?? 0) * 1000),
    interfaceDelays: interfaceDelays(config),
    polledInterfaces: polledInterfaces(config),
    linkbeatTypes: Object.fromEntries(config.linkbeatInterfaces.filter((l) => l.type !== undefined).map((l) => [l.name, l.type as LinkbeatType])),
    logUnknownVrids: config.globalDefs.logUnknownVrids === true,
    checksumGroup4: config.globalDefs.vrrpMcastGroup4,
  };
}
