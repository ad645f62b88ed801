/**
 * VRRP advertisements ⇄ bytes: VRRPv3 (RFC 5798 §5.2) for IPv4 and IPv6, VRRPv2 (RFC 3768 §5.3) for IPv4 with
 * authentication types 0 and 1 ("PASS"). Decoding never throws: a malformed packet yields a drop reason.
 */
import type { IpFamily } from './ip.js';
import { checksumOf, internetChecksum, pseudoHeader, pseudoHeaderChecksum } from './checksum.js';
import { formatIpv4, formatIpv6, parseIp } from './ip.js';
import type { DropReason, VrrpAdvertisement, VrrpAuthType } from './vrrp-types.js';

export const VRRP_HEADER_LENGTH = 8;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
export const VRRP_V2_AUTH_LENGTH = 8;
/** RFC 5798 §5.2.7: 12 bits of centiseconds. */
export const MAX_V3_INTERVAL_CS = 0x0fff;

export interface EncodeContext {
  readonly source: string;
  readonly destination: string;
  /**
   * The destination the IPv4 pseudo-header of a v3 checksum names, when not the packet's own: keepalived's old
   * unicast checksum (`old_unicast_checksum`, and keepalived before 1.3.6) names the multicast group
   * (global vrrp_mcast_group4) while the packet goes to a unicast peer (vrrp.c vrrp_build_vrrp_v3).
   */
  readonly checksumDestination?: string | undefined;
}

export interface DecodeContext {
  readonly family: IpFamily;
  readonly source: string;
  readonly destination: string;
  /**
   * IPv4: the multicast group keepalived's old unicast checksum puts in the pseudo-header. Given, a v3 packet
   * whose checksum holds with it decodes, and says so in `oldChecksum` (each instance decides whether it takes it).
   */
  readonly oldChecksumGroup?: string | undefined;
}

/**
 * `oldChecksum` (v3 over IPv4, with DecodeContext.oldChecksumGroup): `only` when the checksum holds only with the
 * group as the pseudo-header's destination (keepalived's old unicast checksum), `also` when it holds both ways (the
 * packet went to that group); absent when it holds only with the packet's own destination.
 */
export type DecodeResult =
  | { readonly ok: true; readonly advertisement: VrrpAdvertisement; readonly oldChecksum?: 'only' | 'also' }
  | { readonly ok: false; readonly reason: DropReason };

function addressBytes(text: string, family: IpFamily): Uint8Array {
  const bytes = parseIp(text);
  if (!bytes || bytes.length !== (family === 4 ? 4 : 16)) throw new RangeError(`not an IPv${family} address: ${text}`);
  return bytes;
}

/** v2 carries whole seconds (1–255): the interval in centiseconds is rounded to the nearest second. */
function v2Seconds(intervalCs: number): number {
  return Math.min(255, Math.max(1, Math.round(intervalCs / 100)));
}

export function encodeAdvertisement(adv: VrrpAdvertisement, ctx: EncodeContext): Uint8Array {
  const family = adv.family;
  if (adv.version === 2 && family !== 4) throw new RangeError('VRRPv2 is IPv4 only (RFC 3768)');
  const size = family === 4 ? 4 : 16;
  const length = VRRP_HEADER_LENGTH + adv.addresses.length * size + (adv.version === 2 ? VRRP_V2_AUTH_LENGTH : 0);
  const out = new Uint8Array(length);
  out[0] = (adv.version << 4) | 1;
  out[1] = adv.vrid;
  out[2] = adv.priority;
  out[3] = adv.addresses.length;
  if (adv.version === 3) {
    const cs = Math.min(MAX_V3_INTERVAL_CS, Math.max(1, Math.round(adv.intervalCs)));
    out[4] = cs >> 8;
    out[5] = cs & 0xff;
  } else {
    out[4] = adv.authType;
    out[5] = v2Seconds(adv.intervalCs);
  }
  adv.addresses.forEach((a, i) => out.set(addressBytes(a, family), VRRP_HEADER_LENGTH + i * size));
  if (adv.version === 2 && adv.authType === 1) {
    const password = new TextEncoder().encode(adv.authPassword).subarray(0, VRRP_V2_AUTH_LENGTH);
    out.set(password, length - VRRP_V2_AUTH_LENGTH);
  }
  let checksum: number;
  if (adv.version === 2) {
    checksum = internetChecksum(out);
  } else {
    const destination = family === 4 ? (ctx.checksumDestination ?? ctx.destination) : ctx.destination;
    checksum = internetChecksum(pseudoHeader(addressBytes(ctx.source, family), addressBytes(destination, family), length), out);
  }
  out[6] = checksum >> 8;
  out[7] = checksum & 0xff;
  return out;
}

/** Checked with nothing made (no pseudo-header, no array): a flood is mostly packets that end here or soon after. */
function verifies(bytes: Uint8Array, ctx: DecodeContext, withPseudoHeader: boolean, destination = ctx.destination): boolean {
  if (!withPseudoHeader) return checksumOf(bytes) === 0;
  const src = parseIp(ctx.source);
  const dst = parseIp(destination);
  const size = ctx.family === 4 ? 4 : 16;
  if (!src || !dst || src.length !== size || dst.length !== size) return false;
  return pseudoHeaderChecksum(src, dst, bytes) === 0;
}

/** One result per drop reason, shared: a dropped packet costs no object of its own. */
const DROPS = new Map<DropReason, DecodeResult>();
function drop(reason: DropReason): DecodeResult {
  let result = DROPS.get(reason);
  if (result === undefined) DROPS.set(reason, (result = Object.freeze({ ok: false, reason })));
  return result;
}

/**
 * The v2 password field at `at` (8 bytes) as text: only trailing NULs are padding; anything else is part of what is
 * compared (keepalived compares all 8 bytes). Bytes that are not UTF-8 (undefined) can never equal a configured
 * password. From a small cache keyed by the 8 bytes: a flood of wrong passwords is the same few all along.
 */
const PASSWORD_TEXT = new Map<number, Map<number, string | null>>();
const PASSWORD_TEXT_LIMIT = 256;
let passwordTexts = 0;
function passwordText(bytes: Uint8Array, at: number): string | undefined {
  const high = word32(bytes, at);
  const low = word32(bytes, at + 4);
  let lows = PASSWORD_TEXT.get(high);
  const cached = lows?.get(low);
  if (cached !== undefined) return cached ?? undefined;
  let end = VRRP_V2_AUTH_LENGTH;
  while (end > 0 && bytes[at + end - 1] === 0) end--;
  let text: string | null;
  try {
    text = STRICT_UTF8.decode(bytes.subarray(at, at + end));
  } catch {
    text = null;
  }
  if (passwordTexts >= PASSWORD_TEXT_LIMIT) {
    PASSWORD_TEXT.clear();
    passwordTexts = 0;
    lows = undefined;
  }
  if (lows === undefined) PASSWORD_TEXT.set(high, (lows = new Map()));
  lows.set(low, text);
  passwordTexts++;
  return text ?? undefined;
}

function word32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** The text of the IPv4 address at `at`, from a small cache: the same few addresses come in all day. */
const IPV4_TEXT = new Map<number, string>();
const IPV4_TEXT_LIMIT = 1024;
function ipv4Text(bytes: Uint8Array, at: number): string {
  const key = word32(bytes, at);
  let text = IPV4_TEXT.get(key);
  if (text === undefined) {
    if (IPV4_TEXT.size >= IPV4_TEXT_LIMIT) IPV4_TEXT.clear();
    IPV4_TEXT.set(key, (text = formatIpv4(bytes, at)));
  }
  return text;
}

export function decodeAdvertisement(bytes: Uint8Array, ctx: DecodeContext): DecodeResult {
  if (bytes.length < VRRP_HEADER_LENGTH) return drop('length');
  const version = bytes[0]! >> 4;
  const type = bytes[0]! & 0x0f;
  if (version !== 2 && version !== 3) return drop('version');
  if (version === 2 && ctx.family !== 4) return drop('version');
  if (type !== 1) return drop('type');
  const count = bytes[3]!;
  const size = ctx.family === 4 ? 4 : 16;
  const needed = VRRP_HEADER_LENGTH + count * size + (version === 2 ? VRRP_V2_AUTH_LENGTH : 0);
  if (bytes.length < needed) return drop('length');
  // v3 is checked with the pseudo-header (RFC 5798 §5.2.8); over IPv4 also with the multicast group as its
  // destination when asked (keepalived's old unicast checksum), the instance deciding whether it takes that.
  const standard = verifies(bytes, ctx, version === 3);
  const old = version === 3 && ctx.family === 4 && ctx.oldChecksumGroup !== undefined && verifies(bytes, ctx, true, ctx.oldChecksumGroup);
  if (!standard && !old) return drop('checksum');
  const oldChecksum = old ? (standard ? 'also' : 'only') : undefined;
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = VRRP_HEADER_LENGTH + i * size;
    addresses.push(size === 4 ? ipv4Text(bytes, at) : formatIpv6(bytes, at));
  }
  let intervalCs: number;
  let authType: VrrpAuthType = 0;
  let authPassword = '';
  if (version === 3) {
    intervalCs = ((bytes[4]! & 0x0f) << 8) | bytes[5]!;
  } else {
    const auth = bytes[4]!;
    authType = auth === 1 ? 1 : auth === 2 ? 2 : 0;
    if (auth > 2) return drop('auth_type');
    intervalCs = bytes[5]! * 100;
    if (authType === 1) {
      const password = passwordText(bytes, needed - VRRP_V2_AUTH_LENGTH);
      if (password === undefined) return drop('auth');
      authPassword = password;
    }
  }
  // An interval of 0 is impossible to honour (Master_Down_Interval would be the skew alone): never accepted.
  if (intervalCs === 0) return drop('interval');
  const advertisement: VrrpAdvertisement = {
    version,
    vrid: bytes[1]!,
    priority: bytes[2]!,
    intervalCs,
    family: ctx.family,
    addresses,
    authType,
    authPassword,
  };
  return oldChecksum === undefined ? { ok: true, advertisement } : { ok: true, advertisement, oldChecksum };
}
