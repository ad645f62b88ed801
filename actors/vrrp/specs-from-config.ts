/**
 * Turns the parsed configuration (config/model.ts) into what the VRRP runtime runs: one VrrpInstanceSpec per
 * `vrrp_instance`, one SyncGroupSpec per `vrrp_sync_group`. Defaults were applied by the parser; what is decided
 * here is how keywords combine (e.g. `dev` defaulting to the instance's interface, tracked objects' weights).
 */
import type { InterfaceAddress } from '../../transport/address-manager.js';
import type { RouteSpec, RuleSpec } from '../../transport/routes.js';
import type { TrackerInput } from '../../machines/vrrp-instance.js';
import type { Config, IpAddress, Route, Rule, TrackedByName, VrrpInstance } from '../../config/model.js';
import type { SyncGroupSpec, VrrpInstanceSpec, VrrpNodeSpec } from './instance-spec.js';
import { interfaceTrackerId } from './vrrp-node.js';
import { topologies, trackedAddressInterfaces, type InstanceTopology } from './virtual-interfaces.js';

/** A static_ipaddress without `dev` goes on global_defs default_interface (keepalived's get_default_if). */
export function staticAddressInterface(a: IpAddress, config: Config): string {
  return a.dev ?? config.globalDefs.defaultInterface;
}

export type KeepalivedConfig = Config;

/** The interface the instance's VIPs of its own family go on: its VMAC (use_vmac), else its interface. */
export function vmacName(instance: VrrpInstance, config: Config): string | undefined {
  const own = topologies(config).get(instance)?.own;
  return own?.kind === 'macvlan' ? own.name : undefined;
}

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

/** A tracked object's weight in this instance: the instance's own `weight` overrides the object's (and `reverse`). */
function weightOf(t: TrackedByName, objectWeight: number, objectReverse: boolean): number {
  const weight = t.weight ?? objectWeight;
  return t.reverse !== objectReverse ? -weight : weight;
}

/** track_interface / track_script / track_file / track_process become trackers; scripts start up unless init_fail. */
function trackersOf(instance: VrrpInstance, config: Config, topology: InstanceTopology): TrackerInput[] {
  const trackers: TrackerInput[] = [];
  // keepalived puts an IPv4 instance whose ipvlan has no address in FAULT for good (a configuration fault).
  if (topology.own?.kind === 'ipvlan' && topology.own.address === undefined && instance.family === 4) {
    trackers.push({ id: 'config:ipvlan-address', weight: 0, up: false });
  }
  for (const t of instance.trackInterfaces) trackers.push({ id: interfaceTrackerId(t.name), weight: weightOf(t, 0, false), up: true });
  for (const name of routeInterfaces(instance, config, topology)) {
    const id = interfaceTrackerId(name);
    const i = trackers.findIndex((t) => t.id === id);
    if (i >= 0) trackers[i] = { ...trackers[i]!, weight: 0 };
    else trackers.push({ id, weight: 0, up: true });
  }
  for (const t of instance.trackScripts) {
    const script = config.vrrpScripts.find((s) => s.name === t.name);
    trackers.push({ id: `script:${t.name}`, weight: weightOf(t, script?.weight ?? 0, script?.weightReverse ?? false), up: !(script?.initFail ?? false) });
  }
  for (const t of instance.trackFiles) {
    const file = config.trackFiles.find((f) => f.name === t.name);
    trackers.push({ id: `file:${t.name}`, weight: weightOf(t, file?.weight ?? 0, file?.weightReverse ?? false), up: true });
  }
  for (const t of instance.trackProcesses) {
    const proc = config.trackProcesses.find((p) => p.name === t.name);
    trackers.push({ id: `process:${t.name}`, weight: weightOf(t, proc?.weight ?? 0, proc?.weightReverse ?? false), up: true });
  }
  return trackers;
}

export function instanceSpec(instance: VrrpInstance, config: Config, topology = topologies(config).get(instance)!): VrrpInstanceSpec {
  const { advertised, excluded } = addressesOf(instance, topology);
  const own = topology.own;
  // use_ipvlan ADDRESS: the advertisements' source unless one is configured (keepalived's vrrp_ipvlan_handler).
  const source = instance.unicastSrcIp ?? (own?.kind === 'ipvlan' ? own.address?.address : undefined);
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
    unicastSourceAddress: source,
    unicastPeers: instance.unicastPeers.map((p) => p.address),
    trackers: trackersOf(instance, config, topology),
    v3ChecksumAsV2: instance.v3ChecksumAsV2,
    garpMasterDelayMs: instance.garpMasterDelay * 1000,
    garpMasterRepeat: instance.garpMasterRepeat,
    garpMasterRefreshMs: instance.garpMasterRefresh * 1000,
    garpMasterRefreshRepeat: instance.garpMasterRefreshRepeat,
    garpIntervalMs: garpIntervalMs(instance, config),
    virtualRoutes: routeSpecs(instance.virtualRoutes),
    virtualRules: ruleSpecs(instance.virtualRules),
    vmac: own !== undefined ? { name: own.name, xmitBase: instance.vmacXmitBase, kind: own.kind } : undefined,
    interfaces: topology.interfaces,
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
  const all = topologies(config);
  const instances = config.vrrpInstances.map((i) => instanceSpec(i, config, all.get(i)));
  const syncGroups: SyncGroupSpec[] = config.vrrpSyncGroups.map((g) => ({ name: g.name, members: g.group }));
  return { instances, syncGroups };
}
