/**
 * A node's BFD, as keepalived's BFD process serves its VRRP and checker processes: the sessions of every
 * `bfd_instance` on one link (./bfd-node.ts), made when a configuration first has one. Each change of state is
 * published on the bus and told to the VRRP side as the tracked object `bfd:NAME` (up while the session is Up,
 * keepalived's bfd_up) for the instances with `vrrp` events, and to the checker side's BFD_CHECKs for those with
 * `checker` events. keepalived runs BFD in a process of its own; the daemon runs it in a worker thread, the
 * simulator in-process (./bfd-host.ts): either way its changes come here as messages.
 */
import type { Observable, Subscription } from 'rxjs';
import { Subject } from '../../transport/subject.js';
import type { BfdInstance } from '../../config/model.js';
import type { BfdDropReason, BfdStateName } from '../../protocol/bfd-types.js';
import type { Bus } from '../bus.js';
import type { BfdHost, BfdHostChange, BfdHostSession } from './bfd-host.js';
import { bfdSpecsFromConfig } from './specs-from-config.js';

/** A session as `vigil status` and /metrics show it: as its host last told, with the transitions counted here. */
export interface BfdSessionStatus extends BfdHostSession {
  readonly transitions: number;
}

/** What the checker side hears: a session that `checker` events go to changed between up and down. */
export interface BfdCheckerEvent {
  readonly name: string;
  readonly up: boolean;
}

/** What the VRRP side knows of a session: its spec, the epoch that started it, its state as last reported. */
interface KnownSession {
  readonly key: string;
  readonly epoch: number;
  state: BfdStateName;
}

export class NodeBfd {
  private host: BfdHost | undefined;
  private instances = new Map<string, BfdInstance>();
  private readonly known = new Map<string, KnownSession>();
  private epoch = 0;
  private readonly transitions = new Map<string, number>();
  private readonly subscriptions: Subscription[] = [];
  private readonly checker = new Subject<BfdCheckerEvent>();
  /** Sessions with `checker` events, each change between Up and not Up. */
  readonly checkerEvents$: Observable<BfdCheckerEvent> = this.checker.asObservable();

  constructor(
    /** Makes the host the sessions run on (in-process or a worker thread); undefined: BFD sessions do not run. */
    private readonly make: (() => BfdHost) | undefined,
    private readonly bus: Bus,
    private readonly nodeName: string,
    /** The VRRP side's tracked objects (VrrpNode.track). */
    private readonly track: (id: string, up: boolean) => void,
  ) {}

  /** Starts the sessions of `bfd_instance`s, or changes them on a reload (unchanged sessions keep running). */
  apply(instances: readonly BfdInstance[]): void {
    this.instances = new Map(instances.map((b) => [b.name, b]));
    const specs = bfdSpecsFromConfig(instances);
    const first = this.host === undefined;
    if (first && (specs.length === 0 || this.make === undefined)) return;
    const epoch = ++this.epoch;
    // The host keeps a session whose spec is unchanged (actors/bfd/bfd-node.ts reconfigure): so does this mirror.
    const before = new Map(this.known);
    this.known.clear();
    for (const spec of specs) {
      const key = JSON.stringify(spec);
      const kept = before.get(spec.params.name);
      this.known.set(spec.params.name, kept?.key === key ? kept : { key, epoch, state: 'Down' });
    }
    for (const name of this.transitions.keys()) if (!this.instances.has(name)) this.transitions.delete(name);
    if (first) {
      const host = this.make!();
      this.host = host;
      this.subscriptions.push(host.events$.subscribe((e) => (e.kind === 'change' ? this.changed(e.change) : this.dropped(e.reason, e.session, e.at))));
      host.apply(specs, epoch);
      return;
    }
    this.host!.apply(specs, epoch);
    // Instances a reload added start with the session down (keepalived's bfd_up false); tell them how it is.
    for (const [name, s] of this.known) this.tell(name, s.state === 'Up');
  }

  private changed(c: BfdHostChange): void {
    const known = this.known.get(c.name);
    // A late word from a session a reload has since replaced or removed.
    if (known === undefined || known.epoch !== c.epoch) return;
    known.state = c.to;
    this.transitions.set(c.name, (this.transitions.get(c.name) ?? 0) + 1);
    const since = c.lastReceivedAt === undefined ? {} : { sinceLastPacketMs: c.at - c.lastReceivedAt };
    if (c.detectionTimeMs !== undefined) Object.assign(since, { detectionTimeMs: c.detectionTimeMs });
    this.bus.publish({ kind: 'bfd', at: c.at, node: this.nodeName, session: c.name, neighbor: c.neighbor, from: c.from, to: c.to, diag: c.localDiag, ...since });
    // keepalived's bfd_state_fall tells nobody of a session the neighbor took down administratively.
    if ((c.from === 'Up') !== (c.to === 'Up') && !c.byAdmin) this.tell(c.name, c.to === 'Up');
  }

  private tell(name: string, up: boolean): void {
    const instance = this.instances.get(name);
    if (instance?.vrrp) this.track(`bfd:${name}`, up);
    if (instance?.checker) this.checker.next({ name, up });
  }

  private dropped(reason: BfdDropReason, session: string | undefined, at: number): void {
    this.bus.publish({ kind: 'bfd_drop', at, node: this.nodeName, session, reason });
  }

  /** Whether the session is Up now, as last reported (false for one that does not run). */
  isUp(name: string): boolean {
    return this.known.get(name)?.state === 'Up';
  }

  statuses(): BfdSessionStatus[] {
    return (this.host?.sessions() ?? [])
      .filter((s) => this.known.has(s.name))
      .map((s) => ({ ...s, state: this.known.get(s.name)!.state, transitions: this.transitions.get(s.name) ?? 0 }));
  }

  /** BFD threads replaced so far, by why (undefined: the sessions run in-process). */
  workerRestarts(): Readonly<Record<'crashed' | 'hung', number>> | undefined {
    return this.host?.workerRestarts?.();
  }

  /** Packets dropped so far, by reason. */
  get dropCounts(): ReadonlyMap<BfdDropReason, number> {
    return this.host?.dropCounts() ?? new Map();
  }

  /** Sessions stop sending at once (a stop or a crash: the neighbor detects it, as it would keepalived's exit). */
  stop(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.host?.stop();
    this.host = undefined;
    this.known.clear();
    this.checker.complete();
  }
}
