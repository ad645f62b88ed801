import type { IpFamily } from './ip.js';

/** IP protocol number of VRRP (RFC 5798 §5.1.1.4) and its multicast groups (§5.1.1.2, §5.1.2.2). */
export const VRRP_PROTOCOL = 112;
export const VRRP_MULTICAST_V4 = '224.0.0.18';
export const VRRP_MULTICAST_V6 = 'ff02::12';

export type VrrpVersion = 2 | 3;

/**
 * RFC 3768 §5.3.6 authentication types (v2 only). 2 is IP Authentication Header: the VRRP field says so, the
 * authentication itself is an IPsec AH header around the message (protocol/ipsec-ah.ts).
 */
export type VrrpAuthType = 0 | 1 | 2;

/** A decoded VRRP advertisement (RFC 5798 §5.2, RFC 3768 §5.3). */
export interface VrrpAdvertisement {
  readonly version: VrrpVersion;
  readonly vrid: number;
  readonly priority: number;
  /**
   * v3: Max Advertise Interval in centiseconds (12 bits). v2: the 8-bit Adver Int in seconds, times 100,
   * so both versions speak centiseconds above the codec.
   */
  readonly intervalCs: number;
  readonly family: IpFamily;
  /** The virtual addresses carried, as canonical text (lower-case, compressed IPv6). */
  readonly addresses: readonly string[];
  /** v2 only; 0 for v3. */
  readonly authType: VrrpAuthType;
  /** v2 auth type 1 ("PASS"): the password with trailing NULs removed; empty otherwise. */
  readonly authPassword: string;
}

/** Why a received packet was dropped: one counter per reason (RFC 5798 §7.1, RFC 3768 §7.1). */
export type DropReason =
  | 'ttl'
  | 'version'
  | 'type'
  | 'length'
  | 'checksum'
  | 'vrid'
  | 'owner'
  | 'family'
  | 'auth_type'
  | 'auth'
  /** AH: a sequence number not above the last one accepted or sent (keepalived counts it as auth_failure). */
  | 'auth_replay'
  | 'interval'
  | 'unicast_peer'
  /** Sent to one of our addresses while we listen to the multicast group, or multicast while we are unicast. */
  | 'destination'
  | 'address_list';
