/**
 * Turns the parsed configuration (config/model.ts) into what the VRRP runtime runs: one VrrpInstanceSpec per
 * `vrrp_instance`, one SyncGroupSpec per `vrrp_sync_group`. Defaults were applied by the parser; what is decided
 * here is how keywords combine (e.g. `dev` defaulting to the instance's interface, tracked objects' weights).
 */
import type { KeepalivedConfig, VrrpInstanceConfig } from '../config/model.js';
import type { InterfaceAddress } from '../transport/address-manager.js';
import type { TrackerInput } from '../machines/vrrp-instance.js';
import type { SyncGroupSpec, VrrpInstanceSpec, VrrpNodeSpec } from './vrrp-instance-spec.js';
import { interfaceTrackerId } from './vrrp-node.js';

function addressesOf(instance: VrrpInstanceConfig): InterfaceAddress[] {
  return instance.virtualIpAddresses.map((vip) => ({
    address: vip.address,
    prefix: vip.prefix,
    family: vip.family,
    interface: vip.dev ?? instance.interface,
    scope: vip.scope,
    label: vip.label,
    broadcast: vip.broadcast,
  }));
}

/** track_interface / track_script / track_file / track_process become trackers; scripts start up (keepalived). */
function trackersOf(instance: VrrpInstanceConfig, config: KeepalivedConfig): TrackerInput[] {
  const trackers: TrackerInput[] = [];
  for (const t of instance.trackInterfaces) trackers.push({ id: interfaceTrackerId(t.name), weight: t.weight ?? 0, up: true });
  for (const t of instance.trackScripts) {
    const script = config.vrrpScripts.find((s) => s.name === t.name);
    const weight = t.weight ?? script?.weight ?? 0;
    trackers.push({ id: `script:${t.name}`, weight, up: !(script?.initFail ?? false) });
  }
  for (const t of instance.trackFiles) trackers.push({ id: `file:${t.name}`, weight: t.weight ?? 0, up: true });
  for (const t of instance.trackProcesses) trackers.push({ id: `process:${t.name}`, weight: t.weight ?? 0, up: true });
  return trackers;
}

export function instanceSpec(instance: VrrpInstanceConfig, config: KeepalivedConfig): VrrpInstanceSpec {
  const family = instance.virtualIpAddresses[0]?.family ?? (instance.unicastSrcIp?.includes(':') ? 6 : 4);
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
    family,
    authType: instance.authentication?.type === 'PASS' ? 1 : instance.authentication?.type === 'AH' ? 2 : 0,
    authPassword: instance.authentication?.password ?? '',
    virtualAddresses: addressesOf(instance),
    unicastSourceAddress: instance.unicastSrcIp,
    unicastPeers: instance.unicastPeers.map((p) => p.address),
    trackers: trackersOf(instance, config),
    v3ChecksumAsV2: instance.v3ChecksumAsV2 ?? false,
    garpMasterDelayMs: instance.garpMasterDelay * 1000,
    garpMasterRepeat: instance.garpMasterRepeat,
    garpMasterRefreshMs: instance.garpMasterRefresh * 1000,
  };
}

export function nodeSpec(config: KeepalivedConfig): VrrpNodeSpec {
  const instances = config.vrrpInstances.map((i) => instanceSpec(i, config));
  const syncGroups: SyncGroupSpec[] = config.vrrpSyncGroups.map((g) => ({ name: g.name, members: g.group }));
  return { instances, syncGroups };
}
