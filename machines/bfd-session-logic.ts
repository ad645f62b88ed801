/**
 * The pure part of a BFD session (RFC 5880 §6.8): its state variables, what a received control packet does to
 * them (§6.8.6), the transmission interval and jitter (§6.8.2, §6.8.3, §6.8.7), the Detection Time (§6.8.4), and
 * the control packet it sends. Intervals are in microseconds as on the wire; the timers convert to milliseconds.
 */
import type { BFD_DIAG, BFD_STATE, BfdControlPacket, BfdStateCode, BfdStateName } from '../protocol/bfd-types.js';

// machines/ takes only types from protocol/: the codes it needs, checked against protocol/bfd-types.ts.
export const STATE_CODE = { AdminDown: 0, Down: 1, Init: 2, Up: 3 } as const satisfies typeof BFD_STATE;
const STATE_NAMES: readonly BfdStateName[] = ['AdminDown', 'Down', 'Init', 'Up'];
export const DIAG = {
  none: 0,
  controlDetectionTimeExpired: 1,
  neighborSignaledSessionDown: 3,
  administrativelyDown: 7,
} as const satisfies Partial<typeof BFD_DIAG>;

/** RFC 5880 §6.8.3: while not Up, bfd.DesiredMinTxInterval is at least one second. */
export const SLOW_TX_US = 1_000_000;

/** What a session needs of a `bfd_instance` (keepalived.conf(5)), in microseconds. */
export interface BfdSessionParams {
  readonly name: string;
  /** bfd.LocalDiscr: nonzero, unique on the node (§6.8.1). */
  readonly localDiscriminator: number;
  /** `multiplier`: bfd.DetectMult. */
  readonly detectMult: number;
  /** `min_tx`: bfd.DesiredMinTxInterval while Up. */
  readonly desiredMinTxUs: number;
  /** `min_rx`: bfd.RequiredMinRxInterval. */
  readonly requiredMinRxUs: number;
  /** `idle_tx`: bfd.DesiredMinTxInterval while not Up (never under one second, §6.8.3). */
  readonly idleTxUs: number;
  /** `passive`: send nothing while Down (RFC 5880 §6.1, the passive role). */
  readonly passive: boolean;
}

export interface BfdSessionContext {
  readonly params: BfdSessionParams;
  /** bfd.SessionState, as the packets it sends say it (kept in step with the machine's state). */
  readonly localState: BfdStateName;
  readonly localDiag: number;
  /** bfd.RemoteDiscr, bfd.RemoteSessionState, bfd.RemoteDemandMode, bfd.RemoteMinRxInterval (§6.8.1). */
  readonly remoteDiscriminator: number;
  readonly remoteState: BfdStateName;
  readonly remoteDemand: boolean;
  readonly remoteMinRxUs: number;
  /** The last Desired Min TX Interval and Detect Mult received (0 before any). */
  readonly remoteDesiredMinTxUs: number;
  readonly remoteDetectMult: number;
  readonly remoteDiag: number;
  /** A Poll Sequence is in progress: every packet carries P until one with F arrives (§6.5). */
  readonly polling: boolean;
  /** bfd.DesiredMinTxInterval in effect for our own transmission rate (an increase waits for the Poll to end). */
  readonly effectiveDesiredMinTxUs: number;
}

export function initialBfdContext(params: BfdSessionParams): BfdSessionContext {
  return {
    params,
    localState: 'Down',
    localDiag: DIAG.none,
    remoteDiscriminator: 0,
    remoteState: 'Down',
    remoteDemand: false,
    // §6.8.1: bfd.RemoteMinRxInterval starts at 1 (µs).
    remoteMinRxUs: 1,
    remoteDesiredMinTxUs: 0,
    remoteDetectMult: 0,
    remoteDiag: 0,
    polling: false,
    effectiveDesiredMinTxUs: idleTxUs(params),
  };
}

function idleTxUs(params: BfdSessionParams): number {
  return Math.max(params.idleTxUs, SLOW_TX_US);
}

/** bfd.DesiredMinTxInterval as advertised in the state given (§6.8.3: at least 1 s while not Up). */
export function advertisedDesiredMinTxUs(params: BfdSessionParams, state: BfdStateName): number {
  return state === 'Up' ? params.desiredMinTxUs : idleTxUs(params);
}

/**
 * §6.8.6 after the checks: the session state a received packet leads to, with the diagnostic to set; undefined
 * when the state stays. AdminDown discards everything (the caller does not get here).
 */
export function nextBfdState(local: BfdStateName, remote: BfdStateCode): { readonly state: BfdStateName; readonly diag: number } | undefined {
  if (remote === STATE_CODE.AdminDown) return local === 'Down' ? undefined : { state: 'Down', diag: DIAG.neighborSignaledSessionDown };
  if (local === 'Down') {
    if (remote === STATE_CODE.Down) return { state: 'Init', diag: DIAG.none };
    if (remote === STATE_CODE.Init) return { state: 'Up', diag: DIAG.none };
    return undefined;
  }
  if (local === 'Init') return remote === STATE_CODE.Init || remote === STATE_CODE.Up ? { state: 'Up', diag: DIAG.none } : undefined;
  if (local === 'Up') return remote === STATE_CODE.Down ? { state: 'Down', diag: DIAG.neighborSignaledSessionDown } : undefined;
  return undefined;
}

/** The remote's state variables from a packet that passed §6.8.6's checks, and the end of our Poll on its F. */
export function absorbBfdPacket(ctx: BfdSessionContext, p: BfdControlPacket): BfdSessionContext {
  const polling = ctx.polling && !p.final;
  return {
    ...ctx,
    remoteDiscriminator: p.myDiscriminator,
    remoteState: STATE_NAMES[p.state]!,
    remoteDemand: p.demand,
    remoteMinRxUs: p.requiredMinRxUs,
    remoteDesiredMinTxUs: p.desiredMinTxUs,
    remoteDetectMult: p.detectMult,
    remoteDiag: p.diag,
    polling,
    effectiveDesiredMinTxUs: polling ? ctx.effectiveDesiredMinTxUs : advertisedDesiredMinTxUs(ctx.params, ctx.localState),
  };
}

/**
 * The session entering `state` with `diag`. Going Up changes bfd.DesiredMinTxInterval from idle_tx to min_tx,
 * which starts a Poll Sequence (§6.8.3); a decrease applies at once, an increase once the Poll ends. Leaving Up
 * goes back to the slow rate at once (§6.8.3 only holds an increase back while Up).
 */
export function enterBfdState(ctx: BfdSessionContext, state: BfdStateName, diag: number): BfdSessionContext {
  const advertised = advertisedDesiredMinTxUs(ctx.params, state);
  const changed = advertised !== advertisedDesiredMinTxUs(ctx.params, ctx.localState);
  const polling = state === 'Up' ? ctx.polling || changed : false;
  const effective = state === 'Up' && polling && advertised > ctx.effectiveDesiredMinTxUs ? ctx.effectiveDesiredMinTxUs : advertised;
  return { ...ctx, localState: state, localDiag: diag, polling, effectiveDesiredMinTxUs: effective };
}

/** §6.8.1: a Detection Time without packets clears bfd.RemoteDiscr (and what we knew of the remote's state). */
export function forgetRemote(ctx: BfdSessionContext): BfdSessionContext {
  return { ...ctx, remoteDiscriminator: 0, remoteState: 'Down', remoteDemand: false };
}

/** §6.8.7: the larger of bfd.DesiredMinTxInterval (in effect) and bfd.RemoteMinRxInterval. */
export function txIntervalUs(ctx: BfdSessionContext): number {
  return Math.max(ctx.effectiveDesiredMinTxUs, ctx.remoteMinRxUs);
}

/**
 * Periodic transmission (§6.8.7): not while AdminDown past its grace (the machine decides), not to a remote whose
 * RequiredMinRxInterval is 0, not in Demand mode (both Up and the remote asks for it), not while passive and Down.
 */
export function transmitsPeriodically(ctx: BfdSessionContext): boolean {
  if (ctx.remoteMinRxUs === 0) return false;
  if (ctx.remoteDemand && ctx.localState === 'Up' && ctx.remoteState === 'Up') return false;
  if (ctx.params.passive && ctx.localState === 'Down') return false;
  return true;
}

/** §6.8.4, Asynchronous mode: the remote's Detect Mult × max(bfd.RequiredMinRxInterval, its Desired Min TX). */
export function detectionTimeUs(ctx: BfdSessionContext): number {
  return ctx.remoteDetectMult * Math.max(ctx.params.requiredMinRxUs, ctx.remoteDesiredMinTxUs);
}

/**
 * §6.8.7 jitter: the interval reduced by 0–25 %, or by 10–25 % with bfd.DetectMult 1, from a draw `u` in [0, 1).
 */
export function jitteredIntervalMs(intervalUs: number, detectMult: number, u: number): number {
  const reduction = detectMult === 1 ? 0.1 + 0.15 * u : 0.25 * u;
  return (intervalUs * (1 - reduction)) / 1000;
}

/** The control packet the session sends now (§6.8.7): F only in answer to a P, P while polling otherwise. */
export function bfdControlPacket(ctx: BfdSessionContext, final: boolean): BfdControlPacket {
  return {
    version: 1,
    diag: ctx.localDiag,
    state: STATE_CODE[ctx.localState],
    poll: ctx.polling && !final,
    final,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: ctx.params.detectMult,
    myDiscriminator: ctx.params.localDiscriminator,
    yourDiscriminator: ctx.remoteDiscriminator,
    desiredMinTxUs: advertisedDesiredMinTxUs(ctx.params, ctx.localState),
    requiredMinRxUs: ctx.params.requiredMinRxUs,
    requiredMinEchoRxUs: 0,
  };
}
