/**
 * Turns the parsed configuration (config/model.ts) into what the VRRP runtime runs: one VrrpInstanceSpec per
 * `vrrp_instance`, one SyncGroupSpec per `vrrp_sync_group`. Defaults were applied by the parser; what is decided
 * here is how keywords combine (e.g. `dev` defaulting to the instance's interface, tracked objects' weights).
 */
import type { InterfaceAddress } from '../transport/address-manager.js';
import type { IpFamily } from '../transport/vrrp-link.js';
import type { VrrpVersion } from '../protocol/vrrp-types.js';
import type { TrackerInput } from '../machines/vrrp-instance.js';
import type { SyncGroupSpec, VrrpInstanceSpec, VrrpNodeSpec } from './vrrp-instance-spec.js';
import { interfaceTrackerId } from './vrrp-node.js';

/** What the VRRP runtime reads of a parsed `vrrp_instance` (the parser's model satisfies it structurally). */
export interface VrrpInstanceConfig {
  readonly name: string;
  readonly interface: string;
  readonly virtualRouterId: number;
  readonly priority: number;
  readonly advertIntervalCs: number;
  readonly version: VrrpVersion;
  readonly nopreempt: boolean;
  readonly preemptDelaySeconds: number;
  readonly lowerPrioNoAdvert: boolean;
  readonly authentication?: { readonly type: 'PASS' | 'AH'; readonly password: string } | undefined;
  readonly virtualIpAddresses: readonly {
    readonly address: string;
    readonly prefix: number;
    readonly family: IpFamily;
    readonly dev?: string | undefined;
    readonly scope?: string | undefined;
    readonly label?: string | undefined;
    readonly broadcast?: string | undefined;
  }[];
  readonly unicastSrcIp?: string | undefined;
  readonly unicastPeers: readonly { readonly address: string }[];
  readonly trackInterfaces: readonly { readonly name: string; readonly weight?: number | undefined }[];
  readonly trackScripts: readonly { readonly name: string; readonly weight?: number | undefined }[];
  readonly trackFiles: readonly { readonly name: string; readonly weight?: number | undefined }[];
  readonly trackProcesses: readonly { readonly name: string; readonly weight?: number | undefined }[];
  readonly v3ChecksumAsV2?: boolean | undefined;
  readonly garpMasterDelay: number;
  readonly garpMasterRepeat: number;
  readonly garpMasterRefresh: number;
  /** notify_master / notify_backup / notify_fault / notify_stop / notify: script lines, as configured. */
  readonly notifyMaster?: string | undefined;
  readonly notifyBackup?: string | undefined;
  readonly notifyFault?: string | undefined;
  readonly notifyStop?: string | undefined;
  readonly notify?: string | undefined;
}

/** What the runtime reads of a `vrrp_script` block. */
export interface VrrpScriptConfig {
  readonly name: string;
  readonly script?: string | undefined;
  /** Seconds between runs (keepalived default 1). */
  readonly interval?: number | undefined;
  /** Seconds before a run counts as failed (default: the interval). */
  readonly timeout?: number | undefined;
  readonly weight?: number | undefined;
  readonly rise?: number | undefined;
  readonly fall?: number | undefined;
  readonly user?: string | undefined;
  readonly initFail?: boolean | undefined;
}

/** What the VRRP runtime reads of a whole parsed configuration. */
export interface KeepalivedConfig {
  readonly vrrpInstances: readonly VrrpInstanceConfig[];
  readonly vrrpSyncGroups: readonly {
    readonly name: string;
    readonly group: readonly string[];
    readonly notifyMaster?: string | undefined;
    readonly notifyBackup?: string | undefined;
    readonly notifyFault?: string | undefined;
    readonly notify?: string | undefined;
  }[];
  readonly vrrpScripts: readonly VrrpScriptConfig[];
  /** global_defs keywords the VRRP runtime reads. */
  readonly globalDefs?: {
    readonly routerId?: string | undefined;
    readonly scriptUser?: string | undefined;
    readonly scriptGroup?: string | undefined;
    readonly notifyFifo?: string | undefined;
  } | undefined;
}

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
    virtualRoutes: [],
    virtualRules: [],
    vmac: undefined,
  };
}

export function nodeSpec(config: KeepalivedConfig): VrrpNodeSpec {
  const instances = config.vrrpInstances.map((i) => instanceSpec(i, config));
  const syncGroups: SyncGroupSpec[] = config.vrrpSyncGroups.map((g) => ({ name: g.name, members: g.group }));
  return { instances, syncGroups };
}
