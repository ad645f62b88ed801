/**
 * The per-instance receive checks of RFC 5798 §7.1 and RFC 3768 §7.1, with keepalived's behaviour where it
 * differs (docs/vrrp-checklist.md). A failed check is a drop reason, counted by the caller; never an error.
 * (Length, version, type and checksum are checked by the decoder; the VRID by the runtime's routing.)
 */
import type { IpFamily } from './ip.js';
import { canonicalIp } from './ip.js';
import type { DropReason, VrrpAdvertisement, VrrpAuthType, VrrpVersion } from './vrrp-types.js';

export interface ReceivedMeta {
  /** TTL / hop limit as received. */
  readonly ttl: number;
  /** True in multicast mode (no unicast_peer). */
  readonly multicast: boolean;
  readonly source: string;
}

export interface InstanceExpectations {
  readonly version: VrrpVersion;
  readonly family: IpFamily;
  /** Configured base priority: 255 = address owner. */
  readonly priority: number;
  readonly intervalCs: number;
  readonly addresses: readonly string[];
  readonly authType: VrrpAuthType;
  readonly authPassword: string;
  readonly unicastPeers: readonly string[];
}

export type ReceiveVerdict = { readonly drop: DropReason } | { readonly accept: true; readonly warnings: readonly 'address_list'[] };

/** Canonical address sets of configured lists, computed once per list (the lists live as long as the instance). */
const canonicalSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function canonicalSet(list: readonly string[]): ReadonlySet<string> {
  let set = canonicalSets.get(list);
  if (!set) {
    set = new Set(list.map((x) => canonicalIp(x) ?? x));
    canonicalSets.set(list, set);
  }
  return set;
}

function sameAddressList(received: readonly string[], configured: readonly string[]): boolean {
  if (received.length !== configured.length) return false;
  const set = canonicalSet(configured);
  // Received addresses come canonical from the decoder.
  return received.every((x) => set.has(x) || set.has(canonicalIp(x) ?? x));
}

export function checkAdvertisement(meta: ReceivedMeta, adv: VrrpAdvertisement, instance: InstanceExpectations): ReceiveVerdict {
  // RFC 5798 §7.1: TTL / hop limit must be 255. keepalived enforces it in multicast mode only.
  if (meta.multicast && meta.ttl !== 255) return { drop: 'ttl' };
  if (adv.version !== instance.version) return { drop: 'version' };
  if (adv.family !== instance.family) return { drop: 'family' };
  if (!meta.multicast) {
    const source = canonicalIp(meta.source) ?? meta.source;
    if (!canonicalSet(instance.unicastPeers).has(source)) return { drop: 'unicast_peer' };
  }
  if (adv.version === 2) {
    // RFC 3768 §7.1: authentication type and data must match; the interval must match ours.
    if (adv.authType !== instance.authType) return { drop: 'auth_type' };
    if (adv.authType === 1 && adv.authPassword !== instance.authPassword.slice(0, 8)) return { drop: 'auth' };
    if (adv.intervalCs !== instance.intervalCs) return { drop: 'interval' };
  }
  // RFC 5798 §7.1: the address owner discards advertisements (it is master whatever others say).
  if (instance.priority === 255) return { drop: 'owner' };
  // A differing address list is a misconfiguration to log and count, never a reason to drop alone
  // (keepalived ≥ 2.3.3; 2.2.7's drop turns it into two masters).
  const warnings: 'address_list'[] = sameAddressList(adv.addresses, instance.addresses) ? [] : ['address_list'];
  return { accept: true, warnings };
}
