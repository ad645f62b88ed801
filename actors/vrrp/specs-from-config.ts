/**
 * Turns the parsed configuration (config/model.ts) into what the VRRP runtime runs: one VrrpInstanceSpec per
 * `vrrp_instance`, one SyncGroupSpec per `vrrp_sync_group`. Defaults were applied by the parser; what is decided
 * here is how keywords combine (e.g. `dev` defaulting to the instance's interface, tracked objects' weights).
 */
import type { InterfaceAddress } from '../../transport/address-manager.js';
import type { RouteSpec, RuleSpec } from '../../transport/routes.js';
import type { TrackerInput } from '../../machines/vrrp-instance.js';
import type { Config, GlobalDefs, IpAddress, Route, Rule, TrackedByName, VrrpInstance } from '../../config/model.js';
import { DEFAULT_VIP_FIREWALL_PRIORITY, DEFAULT_VIP_FIREWALL_TABLE, type VipFirewallAddress, type VipFirewallSettings } from '../../transport/vip-firewall.js';
import type { SyncGroupSpec, VrrpInstanceSpec, VrrpNodeSpec } from './instance-spec.js';
import { interfaceTrackerId } from './vrrp-node.js';
import { withGroupTracking } from './group-tracking.js';

export type KeepalivedConfig = Config;

/** use_vmac: the interface that carries the VIPs (keepalived's default name is vrrp.VRID, IPv6 vrrp6.VRID). */
export function vmacName(instance: VrrpInstance): string | undefined {
  if (!instance.useVmac) return undefined;
  return instance.useVmac.interface ?? (instance.family === 6 ? `vrrp6.${instance.virtualRouterId}` : `vrrp.${instance.virtualRouterId}`);
}

function addressOf(vip: IpAddress, defaultInterface: string): InterfaceAddress {
  return {
    address: vip.address,
    prefix: vip.prefix,
    family: vip.family,
    interface: vip.dev ?? defaultInterface,
    scope: vip.scope,
    label: vip.label,
    broadcast: vip.broadcast,
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
function addressesOf(instance: VrrpInstance): { advertised: InterfaceAddress[]; excluded: InterfaceAddress[] } {
  const onto = vmacName(instance) ?? instance.interface;
  return {
    advertised: instance.virtualIpAddresses.map((v) => addressOf(v, onto)),
    excluded: instance.excludedVirtualIpAddresses.map((v) => addressOf(v, onto)),
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
function routeInterfaces(instance: VrrpInstance, config: Config): string[] {
  const groups = new Set(config.trackGroups.filter((g) => g.group.includes(instance.name)).map((g) => g.name));
  const inGroup = (r: { trackGroup?: string | undefined }): boolean => r.trackGroup !== undefined && groups.has(r.trackGroup);
  const names = [
    ...routeSpecs(instance.virtualRoutes).flatMap((r) => (r.tracked && r.dev !== undefined ? [r.dev] : [])),
    ...ruleSpecs(instance.virtualRules).flatMap((r) => (r.tracked ? [r.iif, r.oif].filter((n): n is string => n !== undefined) : [])),
    ...routeSpecs(config.staticRoutes.filter(inGroup)).flatMap((r) => (r.tracked && r.dev !== undefined ? [r.dev] : [])),
    ...ruleSpecs(config.staticRules.filter(inGroup)).flatMap((r) => (r.tracked && r.iif !== undefined ? [r.iif] : [])),
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
 * track_interface / track_script / track_file / track_process become trackers; scripts start up unless init_fail.
 * track_bfd joins here as `bfd:NAME` once a BFD tracker publishes (BFD is not implemented: config/not-implemented.ts).
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
  return trackers;
}

/** The instance's trackers, with those of its sync group's own tracking (actors/vrrp/group-tracking.ts). */
function instanceTrackers(instance: VrrpInstance, config: Config): TrackerInput[] {
  const own = trackersOf(instance, config);
  for (const name of routeInterfaces(instance, config)) {
    const id = interfaceTrackerId(name);
    const i = own.findIndex((t) => t.id === id);
    if (i >= 0) own[i] = { ...own[i]!, weight: 0 };
    else own.push({ id, weight: 0, up: true });
  }
  const group = config.vrrpSyncGroups.find((g) => g.group.includes(instance.name));
  return group ? withGroupTracking(own, trackersOf(group, config), interfaceTrackerId(instance.interface)) : own;
}

export function instanceSpec(instance: VrrpInstance, config: Config): VrrpInstanceSpec {
  const { advertised, excluded } = addressesOf(instance);
  const vmac = vmacName(instance);
  const onto = vmac ?? instance.interface;
  return {
    name: instance.name,
    vrid: instance.virtualRouterId,
    version: instance.version,
    priority: instance.priority,
    advertIntervalCs: instance.advertIntervalCs,
    preempt: !instance.nopreempt,
    preemptDelayMs: instance.preemptDelaySeconds * 1000,
    lowerPrioNoAdvert: instance.lowerPrioNoAdvert,
    interface: instance.interface,
    family: instance.family,
    authType: instance.authentication?.type === 'PASS' ? 1 : instance.authentication?.type === 'AH' ? 2 : 0,
    authPassword: instance.authentication?.password ?? '',
    virtualAddresses: [...advertised, ...excluded],
    advertisedAddresses: advertised.map((a) => a.address),
    unicastSourceAddress: instance.unicastSrcIp,
    unicastPeers: instance.unicastPeers.map((p) => p.address),
    trackers: instanceTrackers(instance, config),
    v3ChecksumAsV2: instance.v3ChecksumAsV2,
    garpMasterDelayMs: instance.garpMasterDelay * 1000,
    garpMasterRepeat: instance.garpMasterRepeat,
    garpMasterRefreshMs: instance.garpMasterRefresh * 1000,
    garpMasterRefreshRepeat: instance.garpMasterRefreshRepeat,
    garpIntervalMs: garpIntervalMs(instance, config),
    virtualRoutes: routeSpecs(instance.virtualRoutes),
    virtualRules: ruleSpecs(instance.virtualRules),
    vmac: vmac !== undefined ? { name: vmac, xmitBase: instance.vmacXmitBase } : undefined,
    strict: instance.strictMode,
    firewalled: firewalledOf(instance, config.globalDefs, [...instance.virtualIpAddresses, ...instance.excludedVirtualIpAddresses], [...advertised, ...excluded], onto),
  };
}

/** A garp_group naming the interface wins over global_defs vrrp_garp_interval / vrrp_gna_interval. */
function garpIntervalMs(instance: VrrpInstance, config: Config): number {
  const group = config.garpGroups.find((g) => g.interface === instance.interface || g.interfaces.includes(instance.interface));
  const ipv6 = instance.family === 6;
  const seconds = (ipv6 ? group?.gnaInterval : group?.garpInterval) ?? (ipv6 ? config.globalDefs.vrrpGnaInterval : config.globalDefs.vrrpGarpInterval) ?? 0;
  return Math.round(seconds * 1000);
}

export function nodeSpec(config: Config): VrrpNodeSpec {
  const instances = config.vrrpInstances.map((i) => instanceSpec(i, config));
  const syncGroups: SyncGroupSpec[] = config.vrrpSyncGroups.map((g) => ({ name: g.name, members: g.group }));
  return { instances, syncGroups };
}
