/**
 * The reception checks of RFC 5880 §6.8.6 on a decoded control packet, as pure functions returning a drop reason.
 * The structural ones (version, Length, the authentication section's shape) are the decoder's (./bfd-codec.ts);
 * these are the rest, split where the session is known: the packet alone, then the packet against its session
 * (TTL per RFC 5881 §5 / RFC 5883 and authentication per §6.7). keepalived 2.2.7 (bfd_check_packet) also discards
 * P and F together and a reserved diagnostic code; so does vigil.
 */
import { verifyBfdAuth, type BfdAuthConfig, type BfdAuthSequenceState } from './bfd-auth.js';
import { BFD_MAX_DIAG, BFD_STATE, type BfdControlPacket, type BfdDropReason } from './bfd-types.js';

/** §6.8.6's checks that need no session. */
export function checkBfdPacket(p: BfdControlPacket): BfdDropReason | undefined {
  if (p.detectMult === 0) return 'detect_mult';
  if (p.multipoint) return 'multipoint';
  if (p.myDiscriminator === 0) return 'my_discriminator';
  if (p.yourDiscriminator === 0 && p.state !== BFD_STATE.Down && p.state !== BFD_STATE.AdminDown) return 'your_discriminator';
  if (p.poll && p.final) return 'poll_final';
  if (p.diag > BFD_MAX_DIAG) return 'diag';
  return undefined;
}

export interface BfdSessionReceiveContext {
  /** TTL / hop limit the packet arrived with; undefined when the socket could not tell. */
  readonly ttl: number | undefined;
  /**
   * The lowest TTL accepted: the session's sent TTL minus max_hops, as keepalived computes it (255 − 0 for single
   * hop: GTSM, RFC 5881 §5); undefined when the session does not check (keepalived's max_hops 255).
   */
  readonly minTtl: number | undefined;
  readonly auth?: BfdAuthConfig | undefined;
  readonly authSequence: BfdAuthSequenceState;
  /** bfd.DetectMult, for the sequence window of §6.7.3. */
  readonly localDetectMult: number;
}

export type BfdSessionVerdict =
  | { readonly ok: true; readonly authSequence: BfdAuthSequenceState }
  | { readonly ok: false; readonly reason: BfdDropReason };

/** §6.8.6's checks against the session the packet selected, with the TTL check of RFC 5881 §5 first. */
export function checkBfdForSession(p: BfdControlPacket, ctx: BfdSessionReceiveContext): BfdSessionVerdict {
  // keepalived bfd_check_packet_ttl: a missing TTL (0) is not judged.
  if (ctx.minTtl !== undefined && ctx.ttl !== undefined && ctx.ttl !== 0 && ctx.ttl < ctx.minTtl) return { ok: false, reason: 'ttl' };
  if (p.auth !== undefined && ctx.auth === undefined) return { ok: false, reason: 'auth_unexpected' };
  if (p.auth === undefined && ctx.auth !== undefined) return { ok: false, reason: 'auth_missing' };
  if (ctx.auth === undefined) return { ok: true, authSequence: ctx.authSequence };
  const verdict = verifyBfdAuth(p, ctx.auth, ctx.authSequence, ctx.localDetectMult);
  return verdict.ok ? { ok: true, authSequence: verdict.sequence } : { ok: false, reason: 'auth' };
}
