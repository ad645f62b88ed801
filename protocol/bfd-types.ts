/**
 * BFD control packets (RFC 5880 §4.1) as typed values. Intervals stay in microseconds, as on the wire.
 */

/** RFC 5880 §4.1 "State (Sta)". */
export const BFD_STATE = { AdminDown: 0, Down: 1, Init: 2, Up: 3 } as const;
export type BfdStateName = keyof typeof BFD_STATE;
export type BfdStateCode = (typeof BFD_STATE)[BfdStateName];
export const BFD_STATE_NAMES: readonly BfdStateName[] = ['AdminDown', 'Down', 'Init', 'Up'];

/** RFC 5880 §4.1 "Diagnostic (Diag)": 0–8 are defined, the rest reserved. */
export const BFD_DIAG = {
  none: 0,
  controlDetectionTimeExpired: 1,
  echoFunctionFailed: 2,
  neighborSignaledSessionDown: 3,
  forwardingPlaneReset: 4,
  pathDown: 5,
  concatenatedPathDown: 6,
  administrativelyDown: 7,
  reverseConcatenatedPathDown: 8,
} as const;
export type BfdDiag = (typeof BFD_DIAG)[keyof typeof BFD_DIAG];
export const BFD_MAX_DIAG = 8;

/** RFC 5880 §4.1 "Auth Type". */
export const BFD_AUTH_TYPE = {
  'simple-password': 1,
  'keyed-md5': 2,
  'meticulous-keyed-md5': 3,
  'keyed-sha1': 4,
  'meticulous-keyed-sha1': 5,
} as const;
export type BfdAuthTypeName = keyof typeof BFD_AUTH_TYPE;

/** RFC 5880 §4.2: Simple Password, 1–16 bytes of password. */
export interface BfdSimplePasswordAuth {
  readonly type: 'simple-password';
  readonly keyId: number;
  readonly password: Uint8Array;
}

/** RFC 5880 §4.3 / §4.4: Keyed (Meticulous) MD5 and SHA1: a sequence number and a 16- or 20-byte digest. */
export interface BfdDigestAuth {
  readonly type: 'keyed-md5' | 'meticulous-keyed-md5' | 'keyed-sha1' | 'meticulous-keyed-sha1';
  readonly keyId: number;
  readonly sequence: number;
  readonly digest: Uint8Array;
}

export type BfdAuthSection = BfdSimplePasswordAuth | BfdDigestAuth;

export interface BfdControlPacket {
  /** Always 1 in a decoded packet (RFC 5880 §4.1 "Version (Vers)"). */
  readonly version: number;
  readonly diag: number;
  readonly state: BfdStateCode;
  readonly poll: boolean;
  readonly final: boolean;
  /** C: Control Plane Independent. */
  readonly controlPlaneIndependent: boolean;
  readonly demand: boolean;
  readonly multipoint: boolean;
  readonly detectMult: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly requiredMinEchoRxUs: number;
  /** Present exactly when the A bit is set. */
  readonly auth?: BfdAuthSection | undefined;
}

/** Why a received control packet was discarded (RFC 5880 §6.8.6, RFC 5881 §5, and keepalived's extra checks). */
export type BfdDropReason =
  | 'length' // shorter than 24 (26 with A), or Length not the payload's size (keepalived bfd_check_packet)
  | 'version'
  | 'auth_length' // the authentication section does not fit its type or the packet
  | 'auth_type' // an Auth Type RFC 5880 does not define
  | 'detect_mult' // Detect Mult zero
  | 'multipoint' // M set
  | 'my_discriminator' // My Discriminator zero
  | 'your_discriminator' // Your Discriminator zero while State is not Down or AdminDown
  | 'poll_final' // both P and F set (keepalived)
  | 'diag' // a reserved diagnostic code (keepalived)
  | 'no_session' // no session has this Your Discriminator, or this source and destination
  | 'ttl' // TTL / hop limit under what the session requires (GTSM, RFC 5881 §5; RFC 5883 max_hops)
  | 'auth_unexpected' // A set and the session has no authentication
  | 'auth_missing' // A clear and the session authenticates
  | 'auth'; // authentication failed (type, key, password, digest or sequence number)

export const BFD_DROP_REASONS: readonly BfdDropReason[] = [
  'length', 'version', 'auth_length', 'auth_type', 'detect_mult', 'multipoint', 'my_discriminator',
  'your_discriminator', 'poll_final', 'diag', 'no_session', 'ttl', 'auth_unexpected', 'auth_missing', 'auth',
];
