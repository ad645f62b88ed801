/**
 * One BFD session's machine bound to its sender (transport/bfd-link.ts) and the node's clock and random source:
 * what the machine transmits is encoded and sent; what the node hands it (a packet that passed RFC 5880 §6.8.6)
 * goes in as RECEIVED. Every change of state is published with the diagnostic that came with it.
 */
import { createActor, type Actor } from 'xstate';
import { Subject } from '../../transport/subject.js';
import type { Clock } from '../../machines/clock.js';
import type { Random } from '../../transport/random.js';
import type { BfdSender } from '../../transport/bfd-link.js';
import { bfdSessionMachine, bfdStateName } from '../../machines/bfd-session.js';
import { bfdControlPacket, detectionTimeUs, type BfdSessionContext } from '../../machines/bfd-session-logic.js';
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

  constructor(
    readonly spec: BfdSessionSpec,
    readonly localDiscriminator: number,
    private readonly sender: BfdSender,
    private readonly clock: Clock,
    random: Random,
  ) {
    this.actor = createActor(
      bfdSessionMachine.provide({
        actions: {
          transmit: ({ context }, { final }) => {
            this.packetsSent++;
            this.sender.send(encodeBfdControl(bfdControlPacket(context, final)));
          },
        },
        actors: bfdTimers(clock, random),
      }),
      { input: { params: { ...spec.params, localDiscriminator } }, clock },
    );
    this.current = 'Down';
    this.actor.subscribe((snapshot) => {
      const to = bfdStateName(snapshot.value);
      if (to === this.current) return;
      const from = this.current;
      this.current = to;
      const c = snapshot.context;
      this.changes.next({ name: spec.params.name, neighbor: spec.neighbor, from, to, localDiag: c.localDiag, remoteDiag: c.remoteDiag, at: clock.now(), lastReceivedAt: this.lastReceivedAt });
    });
  }

  start(): void {
    this.actor.start();
  }

  get state(): BfdStateName {
    return this.current;
  }

  get context(): BfdSessionContext {
    return this.actor.getSnapshot().context;
  }

  /** The Detection Time now in force (RFC 5880 §6.8.4), in milliseconds. */
  get detectionTimeMs(): number {
    return detectionTimeUs(this.context) / 1000;
  }

  receive(packet: BfdControlPacket): void {
    this.packetsReceived++;
    this.lastReceivedAt = this.clock.now();
    this.actor.send({ type: 'RECEIVED', packet });
  }

  adminDown(): void {
    this.actor.send({ type: 'ADMIN_DOWN' });
  }

  adminUp(): void {
    this.actor.send({ type: 'ADMIN_UP' });
  }

  stop(): void {
    this.actor.stop();
    this.sender.close();
    this.changes.complete();
  }
}
