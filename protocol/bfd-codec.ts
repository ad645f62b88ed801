/**
 * BFD control packets ⇄ bytes (RFC 5880 §4.1, version 1), with the authentication section of §4.2–§4.4 (Simple
 * Password, Keyed and Meticulous Keyed MD5 and SHA1). Decoding never throws: a malformed packet yields a drop
 * reason. Only the structure is judged here; the rest of §6.8.6 is in ./bfd-reception.ts.
 */
import {
  BFD_AUTH_TYPE,
  type BfdAuthSection,
  type BfdAuthTypeName,
  type BfdControlPacket,
  type BfdDropReason,
  type BfdStateCode,
} from './bfd-types.js';

/** RFC 5880 §4.1: the mandatory section. */
export const BFD_HEADER_LENGTH = 24;
/** RFC 5880 §6.8.6: with the A bit, at least 26 bytes. */
const MIN_AUTH_PACKET_LENGTH = 26;
/** RFC 5880 §4.3 / §4.4: Auth Len of the digest types. */
const DIGEST_AUTH_LENGTH: Readonly<Record<BfdAuthSection['type'], number>> = {
  'simple-password': 0,
  'keyed-md5': 24,
  'meticulous-keyed-md5': 24,
  'keyed-sha1': 28,
  'meticulous-keyed-sha1': 28,
};
const AUTH_NAMES = new Map<number, BfdAuthTypeName>(Object.entries(BFD_AUTH_TYPE).map(([name, code]) => [code, name as BfdAuthTypeName]));

export type BfdDecodeResult = { readonly ok: true; readonly packet: BfdControlPacket } | { readonly ok: false; readonly reason: BfdDropReason };

function authLength(auth: BfdAuthSection): number {
  return auth.type === 'simple-password' ? 3 + auth.password.length : DIGEST_AUTH_LENGTH[auth.type];
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`BFD ${name} out of range: ${value}`);
}

export function encodeBfdControl(p: BfdControlPacket): Uint8Array {
  checkRange('diag', p.diag, 31);
  checkRange('detect mult', p.detectMult, 255);
  for (const [name, v] of [['my discriminator', p.myDiscriminator], ['your discriminator', p.yourDiscriminator], ['desired min tx', p.desiredMinTxUs], ['required min rx', p.requiredMinRxUs], ['required min echo rx', p.requiredMinEchoRxUs]] as const) {
    checkRange(name, v, 0xffffffff);
  }
  const auth = p.auth;
  if (auth?.type === 'simple-password' && (auth.password.length < 1 || auth.password.length > 16)) throw new RangeError('BFD simple password is 1–16 bytes (RFC 5880 §4.2)');
  if (auth !== undefined && auth.type !== 'simple-password' && auth.digest.length !== DIGEST_AUTH_LENGTH[auth.type] - 8) throw new RangeError(`BFD ${auth.type} digest has the wrong length`);
  const length = BFD_HEADER_LENGTH + (auth === undefined ? 0 : authLength(auth));
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out[0] = ((p.version & 0x07) << 5) | (p.diag & 0x1f);
  out[1] =
    ((p.state & 0x03) << 6) |
    (p.poll ? 0x20 : 0) |
    (p.final ? 0x10 : 0) |
    (p.controlPlaneIndependent ? 0x08 : 0) |
    (auth !== undefined ? 0x04 : 0) |
    (p.demand ? 0x02 : 0) |
    (p.multipoint ? 0x01 : 0);
  out[2] = p.detectMult;
  out[3] = length;
  view.setUint32(4, p.myDiscriminator);
  view.setUint32(8, p.yourDiscriminator);
  view.setUint32(12, p.desiredMinTxUs);
  view.setUint32(16, p.requiredMinRxUs);
  view.setUint32(20, p.requiredMinEchoRxUs);
  if (auth !== undefined) {
    out[24] = BFD_AUTH_TYPE[auth.type];
    out[25] = authLength(auth);
    out[26] = auth.keyId;
    if (auth.type === 'simple-password') {
      out.set(auth.password, 27);
    } else {
      // out[27] is Reserved: zero on transmit (RFC 5880 §4.3).
      view.setUint32(28, auth.sequence);
      out.set(auth.digest, 32);
    }
  }
  return out;
}

function decodeAuth(bytes: Uint8Array, view: DataView): { auth: BfdAuthSection } | { reason: BfdDropReason } {
  const code = bytes[24]!;
  const len = bytes[25]!;
  const type = AUTH_NAMES.get(code);
  if (type === undefined) return { reason: 'auth_type' };
  // The section fills the packet exactly: Length counts it (RFC 5880 §4.1 "Length").
  if (BFD_HEADER_LENGTH + len !== bytes.length) return { reason: 'auth_length' };
  if (type === 'simple-password') {
    if (len < 4 || len > 19) return { reason: 'auth_length' };
    return { auth: { type, keyId: bytes[26]!, password: bytes.slice(27, 24 + len) } };
  }
  if (len !== DIGEST_AUTH_LENGTH[type]) return { reason: 'auth_length' };
  return { auth: { type, keyId: bytes[26]!, sequence: view.getUint32(28), digest: bytes.slice(32, 24 + len) } };
}

/**
 * Decodes one UDP payload. The Length field must be the payload's size: RFC 5880 §6.8.6 discards a longer one,
 * and keepalived 2.2.7 (bfd_check_packet) a shorter one too. Without the A bit the packet is the 24-byte mandatory
 * section and nothing else (bytes past it would mean nothing; keepalived would ignore them, vigil drops them).
 */
export function decodeBfdControl(bytes: Uint8Array): BfdDecodeResult {
  if (bytes.length < BFD_HEADER_LENGTH) return { ok: false, reason: 'length' };
  const version = bytes[0]! >> 5;
  if (version !== 1) return { ok: false, reason: 'version' };
  const flags = bytes[1]!;
  const authPresent = (flags & 0x04) !== 0;
  const length = bytes[3]!;
  if (length !== bytes.length || (authPresent ? length < MIN_AUTH_PACKET_LENGTH : length !== BFD_HEADER_LENGTH)) return { ok: false, reason: 'length' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let auth: BfdAuthSection | undefined;
  if (authPresent) {
    const decoded = decodeAuth(bytes, view);
    if ('reason' in decoded) return { ok: false, reason: decoded.reason };
    auth = decoded.auth;
  }
  return {
    ok: true,
    packet: {
      version,
      diag: bytes[0]! & 0x1f,
      state: (flags >> 6) as BfdStateCode,
      poll: (flags & 0x20) !== 0,
      final: (flags & 0x10) !== 0,
      controlPlaneIndependent: (flags & 0x08) !== 0,
      demand: (flags & 0x02) !== 0,
      multipoint: (flags & 0x01) !== 0,
      detectMult: bytes[2]!,
      myDiscriminator: view.getUint32(4),
      yourDiscriminator: view.getUint32(8),
      desiredMinTxUs: view.getUint32(12),
      requiredMinRxUs: view.getUint32(16),
      requiredMinEchoRxUs: view.getUint32(20),
      auth,
    },
  };
}
