/**
 * Turns the parsed configuration (config/model.ts) into what the VRRP runtime runs: one VrrpInstanceSpec per
 * `vrrp_instance`, one SyncGroupSpec per `vrrp_sync_group`. Defaults were applied by the parser; what is decided
 * here is how keywords combine (e.g. `dev` defaulting to the instance's interface, tracked objects' weights).
 */
import type { InterfaceAddress } from '../../transport/address-manager.js';
import type { RouteSpec, RuleSpec } from '../../transport/routes.js';
import { routeTableNumber } from '../../transport/routes.js';
import type { TrackerInput } from '../../machines/vrrp-instance.js';
import type { Config, GlobalDefs, IpAddress, Route, Rule, TrackedByName, VrrpInstance } from '../../config/model.js';
import { DEFAULT_VIP_FIREWALL_PRIORITY, DEFAULT_VIP_FIREWALL_TABLE, type VipFirewallAddress, type VipFirewallSettings } from '../../transport/vip-firewall.js';
import type { SyncGroupSpec, VrrpInstanceSpec, VrrpNodeSpec } from './instance-spec.js';
import { interfaceTrackerId } from './vrrp-node.js';

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

export function routeSpec(route: Route, defaultInterface?: string): RouteSpec {
  const table = routeTableNumber(route.table);
  return {
    destination: route.destination,
    prefix: route.prefix,
    family: route.family,
    ...(route.via !== undefined ? { gateway: route.via } : {}),
    ...(route.dev !== undefined || defaultInterface !== undefined ? { interface: route.dev ?? defaultInterface } : {}),
    ...(route.src !== undefined ? { source: route.src } : {}),
    ...(table !== undefined ? { table } : {}),
    ...(route.metric !== undefined ? { metric: route.metric } : {}),
    ...(route.scope !== undefined ? { scope: route.scope } : {}),
    ...(['unicast', 'blackhole', 'unreachable', 'prohibit', 'local'].includes(route.type) ? { type: route.type as RouteSpec['type'] } : {}),
  };
}

function prefixed(text: string | undefined): { address: string; prefix: number } | undefined {
  if (text === undefined || text === 'all') return undefined;
  const [address, prefix] = text.split('/');
  return { address: address!, prefix: prefix !== undefined ? Number(prefix) : address!.includes(':') ? 128 : 32 };
}

export function ruleSpec(rule: Rule): RuleSpec {
  const from = prefixed(rule.from);
  const to = prefixed(rule.to);
  const fwmark = rule.fwmark !== undefined ? Number(rule.fwmark.split('/')[0]) : undefined;
  return {
    family: rule.family,
    table: routeTableNumber(rule.table) ?? 254,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(rule.preference !== undefined ? { priority: rule.preference } : {}),
    ...(fwmark !== undefined && Number.isFinite(fwmark) ? { fwmark } : {}),
    ...(rule.iif !== undefined ? { iif: rule.iif } : {}),
    ...(rule.oif !== undefined ? { oif: rule.oif } : {}),
  };
}

/** A tracked object's weight in this instance: the instance's own `weight` overrides the object's (and `reverse`). */
function weightOf(t: TrackedByName, objectWeight: number, objectReverse: boolean): number {
  const weight = t.weight ?? objectWeight;
  return t.reverse !== objectReverse ? -weight : weight;
}

/** track_interface / track_script / track_file / track_process become trackers; scripts start up unless init_fail. */
function trackersOf(instance: VrrpInstance, config: Config): TrackerInput[] {
  const trackers: TrackerInput[] = [];
  for (const t of instance.trackInterfaces) trackers.push({ id: interfaceTrackerId(t.name), weight: weightOf(t, 0, false), up: true });
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
    trackers: trackersOf(instance, config),
    v3ChecksumAsV2: instance.v3ChecksumAsV2,
    garpMasterDelayMs: instance.garpMasterDelay * 1000,
    garpMasterRepeat: instance.garpMasterRepeat,
    garpMasterRefreshMs: instance.garpMasterRefresh * 1000,
    garpMasterRefreshRepeat: instance.garpMasterRefreshRepeat,
    garpIntervalMs: garpIntervalMs(instance, config),
    virtualRoutes: instance.virtualRoutes.map((r) => routeSpec(r, onto)),
    virtualRules: instance.virtualRules.map(ruleSpec),
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
