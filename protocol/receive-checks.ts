/**
 * The per-instance receive checks of RFC 5798 §7.1 and RFC 3768 §7.1, with keepalived's behaviour where it
 * differs (../shared/VRRP-CHECKLIST.md). A failed check is a drop reason, counted by the caller; never an error.
 * (Length, version, type and checksum are checked by the decoder; the VRID by the runtime's routing.)
 */
import type { IpFamily } from '../transport/vrrp-link.js';
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

function sameAddressList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(b.map((x) => canonicalIp(x) ?? x));
  return a.every((x) => set.has(canonicalIp(x) ?? x));
}

export function checkAdvertisement(meta: ReceivedMeta, adv: VrrpAdvertisement, instance: InstanceExpectations): ReceiveVerdict {
  // RFC 5798 §7.1: TTL / hop limit must be 255. keepalived enforces it in multicast mode only.
  if (meta.multicast && meta.ttl !== 255) return { drop: 'ttl' };
  if (adv.version !== instance.version) return { drop: 'version' };
  if (adv.family !== instance.family) return { drop: 'family' };
  if (!meta.multicast) {
    const source = canonicalIp(meta.source) ?? meta.source;
    if (!instance.unicastPeers.some((p) => (canonicalIp(p) ?? p) === source)) return { drop: 'unicast_peer' };
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
