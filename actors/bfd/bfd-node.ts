/**
 * A node's BFD sessions: one runner per session, one link for all. Each received packet is decoded once, put
 * through RFC 5880 §6.8.6 (protocol/bfd-reception.ts), matched to its session (by Your Discriminator, or while
 * that is 0 by neighbor and source address, as keepalived's find_bfd_by_discr / find_bfd_by_addr), judged against
 * the session (TTL, authentication) and handed to it. A dropped packet is counted by reason, never thrown.
 */
import { Subject } from '../../transport/subject.js';
import type { Subscription } from 'rxjs';
import { nextTurn, type Clock, type TimerId } from '../../machines/clock.js';
import type { Random } from '../../transport/random.js';
import { bfdPortOf, type BfdLink, type BfdReceivedPacket } from '../../transport/bfd-link.js';
import { decodeBfdControl } from '../../protocol/bfd-codec.js';
import { checkBfdForSession, checkBfdPacket } from '../../protocol/bfd-reception.js';
import type { BfdDropReason } from '../../protocol/bfd-types.js';
import { canonicalIp } from '../../protocol/ip.js';
import { BfdSessionRunner, type BfdSessionChange } from './bfd-session-runner.js';
import { minTtlOf, type BfdSessionSpec } from './bfd-session-spec.js';

export interface BfdDrop {
  readonly reason: BfdDropReason;
  readonly source: string;
  /** The session it was matched to, when it got that far. */
  readonly session?: string | undefined;
}

/** No expiry for this long: the burst is over, the machines follow (see `unsettled`). */
const SETTLE_QUIET_MS = 2;
/** A machine follows its reported Down at the latest this long after it. */
const SETTLE_MAX_WAIT_MS = 100;

export class BfdNode {
  private readonly sessions: BfdSessionRunner[] = [];
  private readonly byDiscriminator = new Map<number, BfdSessionRunner>();
  private readonly changes = new Subject<BfdSessionChange>();
  private readonly drops = new Subject<BfdDrop>();
  /** Every session's changes of state. */
  readonly changes$ = this.changes.asObservable();
  readonly drops$ = this.drops.asObservable();
  readonly dropCounts = new Map<BfdDropReason, number>();
  private subscription: Subscription | undefined;
  /**
   * Machines to catch up with a Down reported at its expiry (actors/bfd/bfd-session-runner.ts), with when each was
   * reported. They wait until no expiry has come for SETTLE_QUIET_MS, then go one a turn: a peer that dies takes
   * all its sessions Down within one transmission interval, and transitions run in that burst (tens to hundreds of
   * microseconds each, a hundred of them) put the last expiries' reports milliseconds late (issue 15). None waits
   * more than SETTLE_MAX_WAIT_MS, whatever keeps expiring.
   */
  private readonly unsettled: { readonly settle: () => void; readonly at: number }[] = [];
  private settling: TimerId | undefined;
  private lastExpiryAt = -Infinity;

  private started = false;

  constructor(
    private readonly link: BfdLink,
    private readonly clock: Clock,
    private readonly random: Random,
    specs: readonly BfdSessionSpec[],
    /** The runners' steady-state shortcut (actors/bfd/bfd-session-runner.ts); off only to compare with it. */
    private readonly shortcut = true,
  ) {
    for (const spec of specs) this.add(spec);
  }

  private add(spec: BfdSessionSpec): BfdSessionRunner {
    const discriminator = this.freshDiscriminator();
    const sender = this.link.openSender({ family: spec.family, remoteAddress: spec.neighbor, localAddress: spec.source, ttl: spec.ttl, multihop: spec.multihop });
    const runner = new BfdSessionRunner(spec, discriminator, sender, this.clock, this.random, this.shortcut, (settle) => this.defer(settle));
    runner.changes$.subscribe((c) => this.changes.next(c));
    this.sessions.push(runner);
    this.byDiscriminator.set(discriminator, runner);
    return runner;
  }

  /**
   * A reload: sessions whose spec is unchanged keep running (state, discriminator and all); removed or changed
   * ones stop, new ones start (keepalived's bfd reload keeps an instance of the same name and settings).
   */
  reconfigure(specs: readonly BfdSessionSpec[]): { kept: string[]; started: string[]; stopped: string[] } {
    const same = (a: BfdSessionSpec, b: BfdSessionSpec): boolean => JSON.stringify(a) === JSON.stringify(b);
    const kept: string[] = [];
    const started: string[] = [];
    const stopped: string[] = [];
    for (const runner of [...this.sessions]) {
      if (specs.some((s) => same(s, runner.spec))) continue;
      runner.stop();
      this.sessions.splice(this.sessions.indexOf(runner), 1);
      this.byDiscriminator.delete(runner.localDiscriminator);
      stopped.push(runner.spec.params.name);
    }
    for (const spec of specs) {
      if (this.sessions.some((r) => same(r.spec, spec))) {
        kept.push(spec.params.name);
        continue;
      }
      const runner = this.add(spec);
      if (this.started) runner.start();
      started.push(spec.params.name);
    }
    return { kept, started, stopped };
  }

  private defer(settle: () => void): void {
    const now = this.clock.now();
    this.lastExpiryAt = now;
    this.unsettled.push({ settle, at: now });
    this.settling ??= this.clock.setTimeout(() => this.settleNext(), SETTLE_QUIET_MS);
  }

  private settleNext(): void {
    this.settling = undefined;
    const head = this.unsettled[0];
    if (head === undefined) return;
    const now = this.clock.now();
    const quietAt = Math.min(this.lastExpiryAt + SETTLE_QUIET_MS, head.at + SETTLE_MAX_WAIT_MS);
    if (now < quietAt) {
      this.settling = this.clock.setTimeout(() => this.settleNext(), quietAt - now);
      return;
    }
    this.unsettled.shift();
    if (this.unsettled.length > 0) this.settling = nextTurn(this.clock, () => this.settleNext());
    head.settle();
  }

  /** bfd.LocalDiscr: nonzero and unique on the node (RFC 5880 §6.8.1), drawn at random as keepalived does. */
  private freshDiscriminator(): number {
    for (;;) {
      const d = Math.floor(this.random.next() * 0xffffffff) + 1;
      if (!this.byDiscriminator.has(d)) return d;
    }
  }

  start(): void {
    this.started = true;
    this.subscription = this.link.packets$.subscribe((p) => this.receive(p));
    for (const s of this.sessions) s.start();
  }

  session(name: string): BfdSessionRunner | undefined {
    return this.sessions.find((s) => s.spec.params.name === name);
  }

  get all(): readonly BfdSessionRunner[] {
    return this.sessions;
  }

  private drop(reason: BfdDropReason, packet: BfdReceivedPacket, session?: BfdSessionRunner): void {
    this.dropCounts.set(reason, (this.dropCounts.get(reason) ?? 0) + 1);
    this.drops.next({ reason, source: packet.source, session: session?.spec.params.name });
  }

  private receive(received: BfdReceivedPacket): void {
    const decoded = decodeBfdControl(received.bytes);
    if (!decoded.ok) return this.drop(decoded.reason, received);
    const packet = decoded.packet;
    const reason = checkBfdPacket(packet);
    if (reason !== undefined) return this.drop(reason, received);
    const session = packet.yourDiscriminator !== 0 ? this.byDiscriminator.get(packet.yourDiscriminator) : this.byAddress(received);
    // The session must be the one for where the packet came from and on which port (RFC 5881 §4 / RFC 5883 §5).
    if (session === undefined || received.port !== bfdPortOf(session.spec.multihop) || !this.fromNeighbor(session, received)) return this.drop('no_session', received);
    if (session.state === 'AdminDown') return;
    const verdict = checkBfdForSession(packet, {
      ttl: received.ttl,
      minTtl: minTtlOf(session.spec),
      authSequence: session.authSequence,
      localDetectMult: session.spec.params.detectMult,
    });
    if (!verdict.ok) return this.drop(verdict.reason, received, session);
    session.authSequence = verdict.authSequence;
    session.receive(packet);
  }

  private fromNeighbor(session: BfdSessionRunner, received: BfdReceivedPacket): boolean {
    const spec = session.spec;
    // The addresses come as the kernel prints them, canonical already: parsed only when the text differs.
    if (received.source !== spec.neighbor && (canonicalIp(received.source) ?? received.source) !== spec.neighbor) return false;
    return spec.source === undefined || received.destination === spec.source || (canonicalIp(received.destination) ?? received.destination) === spec.source;
  }

  private byAddress(received: BfdReceivedPacket): BfdSessionRunner | undefined {
    return this.sessions.find((s) => this.fromNeighbor(s, received));
  }

  stop(): void {
    if (this.settling !== undefined) this.clock.clearTimeout(this.settling);
    this.settling = undefined;
    this.unsettled.length = 0;
    this.subscription?.unsubscribe();
    for (const s of this.sessions) s.stop();
    this.changes.complete();
    this.drops.complete();
  }
}
