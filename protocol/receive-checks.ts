/**
 * The per-instance receive checks of RFC 5798 §7.1 and RFC 3768 §7.1, with keepalived's behaviour where it
 * differs (docs/vrrp-checklist.md). A failed check is a drop reason, counted by the caller; never an error.
 * (Length, version, type and checksum are checked by the decoder; the VRID by the runtime's routing.)
 */
import type { IpFamily } from './ip.js';
import { canonicalIp } from './ip.js';
import type { DropReason, VrrpAdvertisement, VrrpAuthType, VrrpVersion } from './vrrp-types.js';
import { ahKey, verifyAhDatagram } from './ipsec-ah.js';
import { AH_COUNTER_START, sequenceAccepted, type AhCounter } from './ipsec-ah-sequence.js';

export interface ReceivedMeta {
  /** TTL / hop limit as received. */
  readonly ttl: number;
  /** True in multicast mode (no unicast_peer). */
  readonly multicast: boolean;
  readonly source: string;
  /**
   * keepalived's `skip_check_adv_addr` applies: a BACKUP hears the master whose advertisement it last accepted, so
   * the address list, and in unicast mode the source and its TTL range, are not checked again (vrrp.c,
   * vrrp_state_backup: check_addr).
   */
  readonly skipAddressCheck?: boolean | undefined;
  /** The packet's destination address ('' when the link could not tell). */
  readonly destination: string;
  /** The whole IPv4 datagram when it arrived with an AH header (protocol 51): what the ICV covers. */
  readonly datagram?: Uint8Array | undefined;
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
  /**
   * `check_unicast_src` / `vrrp_check_unicast_src`, or a peer's `min_ttl` / `max_ttl` (which turn it on): in
   * unicast mode an advertisement from an address that is not a peer is dropped. Off unless set, as keepalived.
   */
  readonly checkUnicastSource?: boolean | undefined;
  /** The TTL / hop limit range each peer's advertisements must arrive with (`unicast_peer` `min_ttl` / `max_ttl`). */
  readonly unicastPeerTtls?: readonly UnicastPeerTtl[] | undefined;
}

export interface UnicastPeerTtl {
  readonly address: string;
  readonly minTtl: number;
  readonly maxTtl: number;
}

/**
 * `ahSequence`: the AH sequence number of a packet that passed the AH checks, set even when a later check drops
 * it: keepalived's counter has taken the number by then (protocol/ipsec-ah-sequence.ts).
 */
export type ReceiveVerdict =
  | { readonly drop: DropReason; readonly ahSequence?: number }
  | { readonly accept: true; readonly ahSequence?: number };

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

/** IPv4 224.0.0.0/4 or IPv6 ff00::/8. */
function isMulticast(address: string): boolean {
  if (address.includes(':')) return /^ff[0-9a-f]{2}:/i.test(address);
  // The first octet read from the characters (run on every packet: no array, no substring).
  let first = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    first = first * 10 + c;
  }
  return first >= 224 && first <= 239;
}

/**
 * keepalived 2.2.7's address-list check (vrrp.c vrrp_check_packet): the count must match and every configured
 * address must be in the advertisement (its order does not matter).
 */
function sameAddressList(received: readonly string[], configured: readonly string[]): boolean {
  if (received.length !== configured.length) return false;
  // Received addresses come canonical from the decoder.
  const heard = new Set(received);
  return [...canonicalSet(configured)].every((x) => heard.has(x));
}

/** The configured peer an advertisement came from, or undefined. */
function peerOf(source: string, instance: InstanceExpectations): UnicastPeerTtl | undefined {
  const canonical = canonicalIp(source) ?? source;
  if (!canonicalSet(instance.unicastPeers).has(canonical)) return undefined;
  const limits = instance.unicastPeerTtls?.find((p) => (canonicalIp(p.address) ?? p.address) === canonical);
  return limits ?? { address: source, minTtl: 0, maxTtl: 255 };
}

/**
 * `ah`: the instance's AH counter (auth type 2), against which a received sequence number must be news.
 */
export function checkAdvertisement(meta: ReceivedMeta, adv: VrrpAdvertisement, instance: InstanceExpectations, ah?: AhCounter): ReceiveVerdict {
  // keepalived checks first that an AH header is there exactly when the instance uses AH (authtype_mismatch).
  if ((meta.datagram !== undefined) !== (instance.authType === 2)) return dropped('auth_type');
  // RFC 5798 §7.1: TTL / hop limit must be 255. keepalived enforces it in multicast mode only.
  if (meta.multicast && meta.ttl !== 255) return dropped('ttl');
  if (adv.version !== instance.version) return dropped('version');
  if (adv.family !== instance.family) return dropped('family');
  // keepalived: a multicast instance drops what was sent to an address of ours, a unicast one what was multicast.
  if (meta.destination !== '' && isMulticast(meta.destination) !== meta.multicast) return dropped('destination');
  let ahSequence: number | undefined;
  if (adv.version === 2) {
    // RFC 3768 §7.1: authentication type and data must match; the interval must match ours.
    if (adv.authType !== instance.authType) return dropped('auth_type');
    if (adv.authType === 1 && adv.authPassword !== instance.authPassword.slice(0, 8)) return dropped('auth');
    if (adv.authType === 2 && meta.datagram !== undefined) {
      // keepalived: the ICV (a wrong password), the SPI (= source address), then anti-replay; all auth_failure.
      // The TTL is in the ICV in multicast mode only.
      const verdict = verifyAhDatagram(meta.datagram, ahKey(instance.authPassword), !meta.multicast);
      if (!verdict.ok) return dropped('auth');
      if (!sequenceAccepted(ah ?? AH_COUNTER_START, verdict.sequence)) return dropped('auth_replay');
      ahSequence = verdict.sequence;
    }
    if (adv.intervalCs !== instance.intervalCs) return withSequence(dropped('interval'), ahSequence);
  }
  if (!meta.skipAddressCheck) {
    // keepalived 2.2.7 drops an advertisement whose address list differs (RFC 3768 §7.1's MAY, counted as
    // addr_list_err) unless skip_check_adv_addr spares the master it last heard.
    if (!sameAddressList(adv.addresses, instance.addresses)) return withSequence(dropped('address_list'), ahSequence);
    if (!meta.multicast && instance.checkUnicastSource) {
      const peer = peerOf(meta.source, instance);
      if (peer === undefined) return withSequence(dropped('unicast_peer'), ahSequence);
      // An unknown TTL (-1) is not judged, as keepalived.
      if (meta.ttl >= 0 && (meta.ttl < peer.minTtl || meta.ttl > peer.maxTtl)) return withSequence(dropped('ttl'), ahSequence);
    }
  }
  // RFC 5798 §7.1: the address owner discards advertisements (it is master whatever others say).
  if (instance.priority === 255) return withSequence(dropped('owner'), ahSequence);
  return withSequence(ACCEPTED, ahSequence);
}

const ACCEPTED: ReceiveVerdict = Object.freeze({ accept: true });
/** One verdict per drop reason, shared: a flood's packets are each dropped here with no object of their own. */
const DROPPED = new Map<DropReason, { readonly drop: DropReason }>();
function dropped(reason: DropReason): { readonly drop: DropReason } {
  let verdict = DROPPED.get(reason);
  if (verdict === undefined) DROPPED.set(reason, (verdict = Object.freeze({ drop: reason })));
  return verdict;
}

function withSequence<V extends ReceiveVerdict>(verdict: V, ahSequence: number | undefined): V {
  return ahSequence === undefined ? verdict : { ...verdict, ahSequence };
}
