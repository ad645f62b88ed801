/**
 * BFD authentication (RFC 5880 §6.7): signing a control packet for transmission and verifying a received one
 * against the session's keys and its receive sequence state. keepalived 2.2.7 configures no BFD authentication
 * (its sessions discard any packet with the A bit); the verification exists so that a session with keys judges
 * them as RFC 5880 says, and one without rejects them (./bfd-reception.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { encodeBfdControl } from './bfd-codec.js';
import type { BfdAuthTypeName, BfdControlPacket, BfdDigestAuth } from './bfd-types.js';

/** One key of bfd.AuthType (RFC 5880 §6.7.1): its Key ID and secret (1–16 bytes, 1–20 for SHA1). */
export interface BfdAuthKey {
  readonly keyId: number;
  readonly secret: Uint8Array;
}

export interface BfdAuthConfig {
  readonly type: BfdAuthTypeName;
  /** Keys accepted on receipt; the first signs what is sent. */
  readonly keys: readonly BfdAuthKey[];
}

/** bfd.RcvAuthSeq and bfd.AuthSeqKnown (RFC 5880 §6.8.1). */
export interface BfdAuthSequenceState {
  readonly known: boolean;
  readonly received: number;
}

export const UNKNOWN_SEQUENCE: BfdAuthSequenceState = { known: false, received: 0 };

function digestSize(type: BfdDigestAuth['type']): number {
  return type === 'keyed-md5' || type === 'meticulous-keyed-md5' ? 16 : 20;
}

function hashName(type: BfdDigestAuth['type']): 'md5' | 'sha1' {
  return type === 'keyed-md5' || type === 'meticulous-keyed-md5' ? 'md5' : 'sha1';
}

/** The key in the digest field, zero-padded (RFC 5880 §6.7.3 / §6.7.4). */
function paddedKey(secret: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(secret.subarray(0, size));
  return out;
}

/** The digest of a packet whose digest field holds the padded key. */
function computeDigest(packet: BfdControlPacket, auth: BfdDigestAuth, secret: Uint8Array): Uint8Array {
  const withKey = encodeBfdControl({ ...packet, auth: { ...auth, digest: paddedKey(secret, digestSize(auth.type)) } });
  return new Uint8Array(createHash(hashName(auth.type)).update(withKey).digest());
}

/**
 * The packet with its authentication section for `sequence` (bfd.XmitAuthSeq). Simple Password carries the secret;
 * the digest types carry the hash of the packet with the key in place of the digest.
 */
export function signBfdControl(packet: BfdControlPacket, config: BfdAuthConfig, sequence: number): BfdControlPacket {
  const key = config.keys[0];
  if (key === undefined) throw new RangeError('BFD authentication without a key');
  if (config.type === 'simple-password') return { ...packet, auth: { type: 'simple-password', keyId: key.keyId, password: key.secret } };
  const unsigned: BfdDigestAuth = { type: config.type, keyId: key.keyId, sequence: sequence >>> 0, digest: new Uint8Array(digestSize(config.type)) };
  return { ...packet, auth: { ...unsigned, digest: computeDigest(packet, unsigned, key.secret) } };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `seq` lies in [from, from + span] modulo 2^32 (RFC 5880 §6.7.3: sequence numbers wrap). */
function inWindow(seq: number, from: number, span: number): boolean {
  return ((seq - from) >>> 0) <= span;
}

export type BfdAuthVerdict = { readonly ok: true; readonly sequence: BfdAuthSequenceState } | { readonly ok: false };

/**
 * RFC 5880 §6.7.2–§6.7.4 for a packet whose A bit is set: the Auth Type is the session's, the Key ID one of its
 * keys, the password or digest matches, and (digest types) the sequence number is within 3 × bfd.DetectMult of
 * the last one accepted (strictly after it for the meticulous types). Returns the new receive sequence state.
 */
export function verifyBfdAuth(packet: BfdControlPacket, config: BfdAuthConfig, state: BfdAuthSequenceState, localDetectMult: number): BfdAuthVerdict {
  const auth = packet.auth;
  if (auth === undefined || auth.type !== config.type) return { ok: false };
  const key = config.keys.find((k) => k.keyId === auth.keyId);
  if (key === undefined) return { ok: false };
  if (auth.type === 'simple-password') return equalBytes(auth.password, key.secret) ? { ok: true, sequence: state } : { ok: false };
  if (state.known) {
    const meticulous = auth.type === 'meticulous-keyed-md5' || auth.type === 'meticulous-keyed-sha1';
    const from = meticulous ? (state.received + 1) >>> 0 : state.received;
    const span = 3 * localDetectMult - (meticulous ? 1 : 0);
    if (!inWindow(auth.sequence, from, span)) return { ok: false };
  }
  if (!equalBytes(auth.digest, computeDigest(packet, auth, key.secret))) return { ok: false };
  return { ok: true, sequence: { known: true, received: auth.sequence } };
}
