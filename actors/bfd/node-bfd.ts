/**
 * A node's BFD, as keepalived's BFD process serves its VRRP and checker processes: the sessions of every
 * `bfd_instance` on one link (./bfd-node.ts), made when a configuration first has one. Each change of state is
 * published on the bus and told to the VRRP side as the tracked object `bfd:NAME` (up while the session is Up,
 * keepalived's bfd_up) for the instances with `vrrp` events, and to the checker side's BFD_CHECKs for those with
 * `checker` events. keepalived runs BFD in a process of its own; vigil runs it on the VRRP thread, where its
 * timers are the same precise timers as Master_Down_Timer.
 */
import type { Observable, Subscription } from 'rxjs';
import { Subject } from '../../transport/subject.js';
import type { Clock } from '../../machines/clock.js';
import type { BfdInstance } from '../../config/model.js';
import type { BfdDropReason, BfdStateName } from '../../protocol/bfd-types.js';
import type { Bus } from '../bus.js';
import type { BfdTransport } from '../environment.js';
import { BfdNode } from './bfd-node.js';
import { bfdSpecsFromConfig } from './specs-from-config.js';

/** A session as `vigil status` and /metrics show it. */
export interface BfdSessionStatus {
  readonly name: string;
  readonly neighbor: string;
  readonly source: string | undefined;
  readonly state: BfdStateName;
  readonly localDiag: number;
  readonly remoteDiag: number;
  /** The Detection Time in force (RFC 5880 §6.8.4), milliseconds. */
  readonly detectionTimeMs: number;
  readonly transitions: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
}

/** What the checker side hears: a session that `checker` events go to changed between up and down. */
export interface BfdCheckerEvent {
  readonly name: string;
  readonly up: boolean;
}

export class NodeBfd {
  private transport: BfdTransport | undefined;
  private node: BfdNode | undefined;
  private instances = new Map<string, BfdInstance>();
  private readonly transitions = new Map<string, number>();
  private readonly subscriptions: Subscription[] = [];
  private readonly checker = new Subject<BfdCheckerEvent>();
  /** Sessions with `checker` events, each change between Up and not Up. */
  readonly checkerEvents$: Observable<BfdCheckerEvent> = this.checker.asObservable();

  constructor(
    private readonly make: (() => BfdTransport) | undefined,
    private readonly clock: Clock,
    private readonly bus: Bus,
    private readonly nodeName: string,
    /** The VRRP side's tracked objects (VrrpNode.track). */
    private readonly track: (id: string, up: boolean) => void,
  ) {}

  /** Starts the sessions of `bfd_instance`s, or changes them on a reload (unchanged sessions keep running). */
  apply(instances: readonly BfdInstance[]): void {
    this.instances = new Map(instances.map((b) => [b.name, b]));
    const specs = bfdSpecsFromConfig(instances);
    if (this.node === undefined) {
      if (specs.length === 0 || this.make === undefined) return;
      this.transport = this.make();
      const node = new BfdNode(this.transport.link, this.clock, this.transport.random, specs);
      this.node = node;
      this.subscriptions.push(
        node.changes$.subscribe((c) => {
          this.transitions.set(c.name, (this.transitions.get(c.name) ?? 0) + 1);
          const since = c.lastReceivedAt === undefined ? {} : { sinceLastPacketMs: c.at - c.lastReceivedAt };
          const detection = node.session(c.name)?.detectionTimeMs;
          if (detection !== undefined) Object.assign(since, { detectionTimeMs: detection });
          this.bus.publish({ kind: 'bfd', at: c.at, node: this.nodeName, session: c.name, neighbor: c.neighbor, from: c.from, to: c.to, diag: c.localDiag, ...since });
          // keepalived's bfd_state_fall tells nobody of a session the neighbor took down administratively.
          const byAdmin = c.to !== 'Up' && node.session(c.name)?.context.remoteState === 'AdminDown';
          if ((c.from === 'Up') !== (c.to === 'Up') && !byAdmin) this.tell(c.name, c.to === 'Up');
        }),
        node.drops$.subscribe((d) => this.dropped(d.reason, d.session)),
      );
      node.start();
      return;
    }
    this.node.reconfigure(specs);
    for (const name of this.transitions.keys()) if (!this.instances.has(name)) this.transitions.delete(name);
    // Instances a reload added start with the session down (keepalived's bfd_up false); tell them how it is.
    for (const s of this.node.all) this.tell(s.spec.params.name, s.state === 'Up');
  }

  private tell(name: string, up: boolean): void {
    const instance = this.instances.get(name);
    if (instance?.vrrp) this.track(`bfd:${name}`, up);
    if (instance?.checker) this.checker.next({ name, up });
  }

  private dropped(reason: BfdDropReason, session: string | undefined): void {
    this.bus.publish({ kind: 'bfd_drop', at: this.clock.now(), node: this.nodeName, session, reason });
  }

  /** Whether the session is Up now (false for one that does not run). */
  isUp(name: string): boolean {
    return this.node?.session(name)?.state === 'Up';
  }

  statuses(): BfdSessionStatus[] {
    return (this.node?.all ?? []).map((s) => ({
      name: s.spec.params.name,
      neighbor: s.spec.neighbor,
      source: s.spec.source,
      state: s.state,
      localDiag: s.context.localDiag,
      remoteDiag: s.context.remoteDiag,
      detectionTimeMs: s.detectionTimeMs,
      transitions: this.transitions.get(s.spec.params.name) ?? 0,
      packetsSent: s.packetsSent,
      packetsReceived: s.packetsReceived,
    }));
  }

  /** Packets dropped so far, by reason. */
  get dropCounts(): ReadonlyMap<BfdDropReason, number> {
    return this.node?.dropCounts ?? new Map();
  }

  /** Sessions stop sending at once (a stop or a crash: the neighbor detects it, as it would keepalived's exit). */
  stop(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.node?.stop();
    this.transport?.link.close();
    this.node = undefined;
    this.transport = undefined;
    this.checker.complete();
  }
}
