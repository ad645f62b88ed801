/**
 * One BFD session's machine bound to its sender (transport/bfd-link.ts) and the node's clock and random source:
 * what the machine transmits is encoded and sent; what the node hands it (a packet that passed RFC 5880 §6.8.6)
 * goes in as RECEIVED. Every change of state is published with the diagnostic that came with it.
 *
 * The steady state is answered without the machine (as the VRRP and checker runners do, actors/steady-shortcut.ts):
 * at 10 ms a session hears and sends a hundred packets a second that change nothing, and a hundred sessions
 * through XState cost more CPU than a busy host has. What the machine (machines/bfd-session.ts) does then is
 * known exactly: a transmission timer in Down, Init or Up sends the packet its context makes (the root's TX_TIMER
 * with the `periodic` guard, no context change); a packet that leaves the context as it is, asks for no Poll and
 * changes no state (a RECEIVED's last branch in Down, Init or Up) restarts the detection timer and nothing else.
 * Anything else goes to the machine. test/actors/bfd-shortcut.test.ts holds the two ways to the same packets.
 *
 * A Detection Time that expires in Init or Up is reported at once, the machine's transition after (issue 15). What
 * the machine does then is known exactly too (DETECTION_TIMEOUT: Down with diagnostic 1, the remote forgotten), and
 * the report is what the VRRP side waits for; the transition, with its timers stopped and started, costs tens of
 * microseconds. A hundred sessions whose peer died expire within one transmission interval: transitions in line
 * before the reports put the last ones milliseconds late (bench/bfd-down-cost.ts, bench/bfd-detection.ts). The
 * transition waits for `defer` (the node runs them once the expiries stop coming, actors/bfd/bfd-node.ts); a packet
 * or an administrative change that comes to the session first makes it happen before going on. The transmission
 * timer does not: the report sets the slow rate the transition sets (its `retime`), and a packet due meanwhile is
 * the one the machine would send, made from the context it will make (what a look at the context sees too).
 */
import { createActor, type Actor } from 'xstate';
import { Subject } from '../../transport/subject.js';
import type { Clock } from '../../machines/clock.js';
import type { Random } from '../../transport/random.js';
import type { BfdSender } from '../../transport/bfd-link.js';
import { bfdSessionMachine, bfdStateName } from '../../machines/bfd-session.js';
import {
  advertisedDesiredMinTxUs,
  bfdControlPacket,
  detectionTimeUs,
  DIAG,
  enterBfdState,
  forgetRemote,
  nextBfdState,
  transmitsPeriodically,
  txIntervalUs,
  type BfdSessionContext,
} from '../../machines/bfd-session-logic.js';
import { BFD_STATE_NAMES as STATE_NAMES } from '../../protocol/bfd-types.js';
import { bfdTimers } from '../../machines/bfd-timers.js';
import { encodeBfdControl } from '../../protocol/bfd-codec.js';
import type { BfdControlPacket, BfdStateName } from '../../protocol/bfd-types.js';
import { UNKNOWN_SEQUENCE, type BfdAuthSequenceState } from '../../protocol/bfd-auth.js';
import type { BfdSessionSpec } from './bfd-session-spec.js';

export interface BfdSessionChange {
  readonly name: string;
  readonly neighbor: string;
  readonly from: BfdStateName;
  readonly to: BfdStateName;
  /** Our diagnostic (RFC 5880 §4.1) after the change, and the remote's last. */
  readonly localDiag: number;
  readonly remoteDiag: number;
  /** The remote's state as last heard, after the change (AdminDown: the neighbor took the session down). */
  readonly remoteState: BfdStateName;
  /** The Detection Time in force after the change (RFC 5880 §6.8.4), milliseconds. */
  readonly detectionTimeMs: number;
  /** Clock time of the change. */
  readonly at: number;
  /** Clock time of the last packet the session received before the change (undefined before any). */
  readonly lastReceivedAt: number | undefined;
}

export class BfdSessionRunner {
  private readonly actor: Actor<typeof bfdSessionMachine>;
  private readonly changes = new Subject<BfdSessionChange>();
  readonly changes$ = this.changes.asObservable();
  /** bfd.RcvAuthSeq / bfd.AuthSeqKnown (no authentication is configured with keepalived's keywords). */
  authSequence: BfdAuthSequenceState = UNKNOWN_SEQUENCE;
  packetsSent = 0;
  packetsReceived = 0;
  /** Clock time of the last packet handed to the session (undefined before any). */
  lastReceivedAt: number | undefined;
  private current: BfdStateName;
  /** The detection timer running now (its restart, and who it is), for the shortcut. */
  private detection: { restart: (delayMs: number) => void; owner: object } | undefined;
  /** The transmission timer running now (its retime, and who it is), for a Down reported before the machine's. */
  private transmission: { retime: (intervalUs: number) => void; owner: object } | undefined;
  /** Events answered without the machine (packets received, transmissions). */
  shortcutHits = 0;
  /** The packet last encoded, and the context it was made from (a steady context sends the same bytes). */
  private encoded: { context: BfdSessionContext; bytes: Uint8Array } | undefined;
  /** A Down reported at its expiry: the context the machine's DETECTION_TIMEOUT, still to come, makes (see the header). */
  private unsettled: BfdSessionContext | undefined;
  private stopped = false;

  constructor(
    readonly spec: BfdSessionSpec,
    readonly localDiscriminator: number,
    private readonly sender: BfdSender,
    private readonly clock: Clock,
    random: Random,
    /** The steady-state shortcut (off: every event through the machine, for the differential test). */
    private readonly shortcut = true,
    /** Runs the machine's transition after an expiry reported at once (default: right after the report). */
    private readonly defer: (settle: () => void) => void = (settle) => settle(),
  ) {
    this.actor = createActor(
      bfdSessionMachine.provide({
        actions: {
          transmit: ({ context }, { final }) => {
            this.packetsSent++;
            this.sender.send(encodeBfdControl(bfdControlPacket(context, final)));
          },
        },
        actors: bfdTimers(clock, random, {
          transmission: (retime, owner) => {
            if (retime !== undefined) this.transmission = { retime, owner };
            else if (this.transmission?.owner === owner) this.transmission = undefined;
          },
          txDue: () => this.steadyTransmit(),
          detection: (restart, owner) => {
            if (restart !== undefined) this.detection = { restart, owner };
            else if (this.detection?.owner === owner) this.detection = undefined;
          },
          expired: () => this.expire(),
        }),
      }),
      { input: { params: { ...spec.params, localDiscriminator } }, clock },
    );
    this.current = 'Down';
    this.actor.subscribe((snapshot) => {
      const to = bfdStateName(snapshot.value);
      if (to === this.current) return;
      this.publish(to, snapshot.context);
    });
  }

  private publish(to: BfdStateName, c: BfdSessionContext): void {
    const from = this.current;
    this.current = to;
    const { spec } = this;
    this.changes.next({
      name: spec.params.name,
      neighbor: spec.neighbor,
      from,
      to,
      localDiag: c.localDiag,
      remoteDiag: c.remoteDiag,
      remoteState: c.remoteState,
      detectionTimeMs: detectionTimeUs(c) / 1000,
      at: this.clock.now(),
      lastReceivedAt: this.lastReceivedAt,
    });
  }

  /**
   * The detection timer expired: in Init or Up, the Down is reported now and the machine's transition deferred
   * (see the header); false: the timer tells the machine at once.
   */
  private expire(): boolean {
    if (!this.shortcut) return false;
    const snapshot = this.actor.getSnapshot();
    if (snapshot.status !== 'active' || (snapshot.value !== 'Up' && snapshot.value !== 'Init')) return false;
    // The context the machine's DETECTION_TIMEOUT makes in Init and Up (machines/bfd-session.ts: enter, forget).
    const after = forgetRemote(enterBfdState(snapshot.context, 'Down', DIAG.controlDetectionTimeExpired));
    this.unsettled = after;
    this.publish('Down', after);
    // The machine's `retime` on this transition, now: the next packet after the pending one goes at the slow rate.
    this.transmission?.retime(txIntervalUs(after));
    this.defer(() => this.settle());
    return true;
  }

  /** The machine catches up with a Down reported at its expiry (a no-op when it has, or the session stopped). */
  settle(): void {
    if (this.unsettled === undefined || this.stopped) return;
    this.unsettled = undefined;
    this.actor.send({ type: 'DETECTION_TIMEOUT' });
  }

  start(): void {
    this.actor.start();
  }

  get state(): BfdStateName {
    return this.current;
  }

  /** False while a Down reported at its expiry waits for the machine to follow (see the header). */
  get settled(): boolean {
    return this.unsettled === undefined;
  }

  /** The machine's context, or while it has yet to follow a Down reported at its expiry, the one it will make. */
  get context(): BfdSessionContext {
    return this.unsettled ?? this.actor.getSnapshot().context;
  }

  /** The Detection Time now in force (RFC 5880 §6.8.4), in milliseconds. */
  get detectionTimeMs(): number {
    return detectionTimeUs(this.context) / 1000;
  }

  receive(packet: BfdControlPacket): void {
    this.packetsReceived++;
    this.lastReceivedAt = this.clock.now();
    this.settle();
    if (this.steadyReceive(packet)) return;
    this.actor.send({ type: 'RECEIVED', packet });
  }

  /** The machine's answer to a steady transmission timer, without it (see the header); false: ask the machine. */
  private steadyTransmit(): boolean {
    if (!this.shortcut) return false;
    const snapshot = this.actor.getSnapshot();
    if (snapshot.status !== 'active' || typeof snapshot.value !== 'string') return false;
    // A Down reported at its expiry sends what the machine will (Down, diagnostic 1, the remote forgotten).
    const context = this.context;
    this.shortcutHits++;
    if (!transmitsPeriodically(context)) return true;
    if (this.encoded?.context !== context) this.encoded = { context, bytes: encodeBfdControl(bfdControlPacket(context, false)) };
    this.packetsSent++;
    this.sender.send(this.encoded.bytes);
    return true;
  }

  /** The machine's answer to a packet that changes nothing, without it (see the header); false: ask the machine. */
  private steadyReceive(packet: BfdControlPacket): boolean {
    const detection = this.detection;
    if (!this.shortcut || detection === undefined || packet.poll) return false;
    const snapshot = this.actor.getSnapshot();
    if (snapshot.status !== 'active' || typeof snapshot.value !== 'string') return false;
    const context = snapshot.context;
    if (nextBfdState(context.localState, packet.state) !== undefined) return false;
    // The remote's variables as the packet would set them (absorbBfdPacket), compared without building them: any
    // difference, or a Final ending our Poll, goes to the machine.
    if (
      context.polling ||
      packet.myDiscriminator !== context.remoteDiscriminator ||
      STATE_NAMES[packet.state] !== context.remoteState ||
      packet.demand !== context.remoteDemand ||
      packet.requiredMinRxUs !== context.remoteMinRxUs ||
      packet.desiredMinTxUs !== context.remoteDesiredMinTxUs ||
      packet.detectMult !== context.remoteDetectMult ||
      packet.diag !== context.remoteDiag ||
      advertisedDesiredMinTxUs(context.params, context.localState) !== context.effectiveDesiredMinTxUs
    ) {
      return false;
    }
    this.shortcutHits++;
    detection.restart(detectionTimeUs(context) / 1000);
    return true;
  }

  adminDown(): void {
    this.settle();
    this.actor.send({ type: 'ADMIN_DOWN' });
  }

  adminUp(): void {
    this.settle();
    this.actor.send({ type: 'ADMIN_UP' });
  }

  stop(): void {
    this.stopped = true;
    this.actor.stop();
    this.sender.close();
    this.changes.complete();
  }
}
