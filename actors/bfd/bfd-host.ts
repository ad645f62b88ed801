/**
 * Where a node's BFD sessions run (keepalived runs them in a BFD process of its own): the host runs them and
 * reports each change of state and each dropped packet as a message. The simulator runs them in-process on its
 * clock (InProcessBfdHost, below); the daemon in a worker thread (actors/daemon/worker-bfd-host.ts), so that a
 * session flap or a flood of control packets never delays a VRRP advertisement. The contract both keep is
 * test/contract/bfd-host-contract.ts.
 *
 * Each session carries the epoch of the `apply` that started it: a change reported late for a session a later
 * `apply` replaced (same name, other settings) is told apart from the new session's by its epoch.
 */
import type { Observable, Subscription } from 'rxjs';
import { Subject } from '../../transport/subject.js';
import type { Clock } from '../../machines/clock.js';
import type { BfdDropReason, BfdStateName } from '../../protocol/bfd-types.js';
import type { BfdLink } from '../../transport/bfd-link.js';
import type { Random } from '../../transport/random.js';
import type { BfdSessionChange } from './bfd-session-runner.js';
import type { BfdSessionSpec } from './bfd-session-spec.js';
import { BfdNode } from './bfd-node.js';

/** A change of a session's state, with what the VRRP side needs to judge it. */
export interface BfdHostChange extends Omit<BfdSessionChange, 'remoteState' | 'detectionTimeMs'> {
  /** The epoch of the `apply` that started the session. */
  readonly epoch: number;
  /** The Detection Time in force after the change, milliseconds (undefined: the host lost the session). */
  readonly detectionTimeMs: number | undefined;
  /** The neighbor took the session down administratively (its remote state is AdminDown). */
  readonly byAdmin: boolean;
}

export type BfdHostEvent =
  | { readonly kind: 'change'; readonly change: BfdHostChange }
  | { readonly kind: 'drop'; readonly at: number; readonly reason: BfdDropReason; readonly session: string | undefined };

/** A session as last known (`vigil status`, /metrics). */
export interface BfdHostSession {
  readonly name: string;
  readonly neighbor: string;
  readonly source: string | undefined;
  readonly state: BfdStateName;
  readonly localDiag: number;
  readonly remoteDiag: number;
  /** The Detection Time in force (RFC 5880 §6.8.4), milliseconds. */
  readonly detectionTimeMs: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
}

export interface BfdHost {
  readonly events$: Observable<BfdHostEvent>;
  /**
   * Starts the sessions (the first call) or changes them: sessions whose spec is unchanged keep running, others
   * stop, new ones start (actors/bfd/bfd-node.ts reconfigure). `epoch` grows with each call.
   */
  apply(specs: readonly BfdSessionSpec[], epoch: number): void;
  /** The sessions as last known: now in-process, as of the worker's last report otherwise. */
  sessions(): readonly BfdHostSession[];
  /** Packets dropped so far, by reason. */
  dropCounts(): ReadonlyMap<BfdDropReason, number>;
  /** Sessions stop sending at once. */
  stop(): void;
  /** A host on a thread of its own: the threads it replaced so far, crashed (exited) or hung (no heartbeat). */
  workerRestarts?(): Readonly<Record<'crashed' | 'hung', number>>;
}

/** BFD sessions on the calling thread: the simulator's, and the body of the daemon's worker thread. */
export class InProcessBfdHost implements BfdHost {
  private readonly subject = new Subject<BfdHostEvent>();
  readonly events$ = this.subject.asObservable();
  private node: BfdNode | undefined;
  private readonly epochs = new Map<string, number>();
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly link: BfdLink,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  apply(specs: readonly BfdSessionSpec[], epoch: number): void {
    if (this.node === undefined) {
      for (const s of specs) this.epochs.set(s.params.name, epoch);
      const node = new BfdNode(this.link, this.clock, this.random, specs);
      this.node = node;
      this.subscriptions.push(
        // The change says all the host needs: a Down reported at its expiry goes out before its machine follows.
        node.changes$.subscribe(({ remoteState, ...c }) => {
          const change: BfdHostChange = { ...c, epoch: this.epochs.get(c.name) ?? epoch, byAdmin: c.to !== 'Up' && remoteState === 'AdminDown' };
          this.subject.next({ kind: 'change', change });
        }),
        node.drops$.subscribe((d) => this.subject.next({ kind: 'drop', at: this.clock.now(), reason: d.reason, session: d.session })),
      );
      node.start();
      return;
    }
    const { started, stopped } = this.node.reconfigure(specs);
    for (const name of stopped) this.epochs.delete(name);
    for (const name of started) this.epochs.set(name, epoch);
  }

  sessions(): readonly BfdHostSession[] {
    return (this.node?.all ?? []).map((s) => ({
      name: s.spec.params.name,
      neighbor: s.spec.neighbor,
      source: s.spec.source,
      state: s.state,
      localDiag: s.context.localDiag,
      remoteDiag: s.context.remoteDiag,
      detectionTimeMs: s.detectionTimeMs,
      packetsSent: s.packetsSent,
      packetsReceived: s.packetsReceived,
    }));
  }

  dropCounts(): ReadonlyMap<BfdDropReason, number> {
    return this.node?.dropCounts ?? new Map();
  }

  stop(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.node?.stop();
    this.node = undefined;
    this.link.close();
    this.subject.complete();
  }
}
