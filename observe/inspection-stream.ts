/**
 * The one inspection stream (docs/design.md "Observability"): every actor's XState inspection events and every bus
 * message, as ObservedEvent records on one RxJS stream, stamped by the injected clock. Actors are named
 * `node/actor-id`, so the actors of several simulated nodes share one stream. Nothing polls: records are pushed
 * as XState reports them.
 *
 * The events a runner's steady-state shortcut answers without the machine (actors/steady-shortcut.ts) never reach
 * XState; the runner tells the inspector's `absorbed` hook instead, and the stream sums each run of identical ones
 * up in one `steady` record (count, first and last time): what changes is recorded, not every advertisement a
 * backup hears (issue 17). Likewise a master's advertisements on the bus (`advert_sent`, the same but for their
 * time) become one `repeated` record per run. A run ends when anything else happens to its actor or instance
 * (XState reports any event for the actor, a stop included; another bus message names the instance), when its
 * node's process goes down, when it has lasted `steadyWindowMs` (so a live stream hears of a quiet actor now and
 * then), and when the stream completes or is flushed. Nothing is scheduled on the clock: a run ends on the
 * stream's own calls, so a simulation observed runs the same events as one that is not. Every bus message, one by
 * one, is on `bus$` (the metrics time each advertisement).
 */
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { AnyStateMachine, InspectionEvent } from 'xstate';
import type { Bus, BusMessage } from '../actors/bus.js';
import type { Clock } from '../machines/clock.js';
import type { ShortcutInspector } from '../actors/steady-shortcut.js';
import { actorInfo, sameInfo } from './actor-info.js';
import { machineGraph, type MachineGraph } from './machine-graph.js';
import type { ActorInfo, ObservedEvent } from './observed-event.js';
import { leafPaths } from './state-paths.js';

interface ActorTrack {
  state: string[];
  info: ActorInfo | undefined;
  /** The snapshot value and context last seen: unchanged references need no work (the hot path). */
  value: unknown;
  context: unknown;
}

/** A run of events absorbed by an actor's shortcut, not yet emitted. */
interface SteadyRun {
  readonly actor: string;
  readonly event: string;
  readonly state: readonly string[];
  readonly first: number;
  last: number;
  count: number;
}

/** A run of advertisements of one instance at one priority, not yet emitted. */
interface RepeatRun {
  readonly message: Extract<BusMessage, { kind: 'advert_sent' }>;
  last: number;
  count: number;
}

export interface InspectionStreamOptions {
  /** The longest run of absorbed events one `steady` record sums up, in clock milliseconds (default 60 s). */
  readonly steadyWindowMs?: number;
}

function isMachine(logic: unknown): logic is AnyStateMachine {
  return typeof logic === 'object' && logic !== null && 'root' in logic && 'id' in logic && 'config' in logic;
}

/** The id an actor was created with (`createActor(…, { id })`), else its session id. */
function actorId(event: InspectionEvent): string {
  const ref = event.actorRef as { id?: unknown; sessionId: string };
  return typeof ref.id === 'string' ? ref.id : ref.sessionId;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class InspectionStream {
  private readonly subject = new Subject<ObservedEvent>();
  readonly events$: Observable<ObservedEvent> = this.subject.asObservable();
  private readonly busSubject = new Subject<BusMessage>();
  /** Every message of the attached buses as it is published, none summed up. */
  readonly bus$: Observable<BusMessage> = this.busSubject.asObservable();
  /** Graphs of the machines seen so far, by machine id. */
  readonly graphs = new Map<string, MachineGraph>();
  private readonly tracks = new Map<string, ActorTrack>();
  /** Stream name of each actor reference (saves building the string on every snapshot). */
  private readonly names = new WeakMap<object, string>();
  /** Latest context of every actor, by stream name (kept by reference, never copied or emitted). */
  readonly contexts = new Map<string, unknown>();
  /** Machine id of every actor, by stream name. */
  readonly machineOf = new Map<string, string>();
  private readonly buses: Subscription[] = [];
  /** Open runs of absorbed events, by actor reference. */
  private readonly runs = new Map<object, SteadyRun>();
  /** Open runs of advertisements, by `node/instance`. */
  private readonly repeats = new Map<string, RepeatRun>();
  private readonly steadyWindowMs: number;
  /** Records emitted so far. */
  count = 0;
  /** Events absorbed by the actors' shortcuts so far (each in a `steady` record, once its run ends). */
  absorbed = 0;

  constructor(
    private readonly clock: Clock,
    options: InspectionStreamOptions = {},
  ) {
    this.steadyWindowMs = options.steadyWindowMs ?? 60_000;
  }

  /** The `inspect` option for the actors of one node, with the `absorbed` hook their runners' shortcuts call. */
  inspector(node: string): ShortcutInspector {
    return Object.assign((event: InspectionEvent) => this.inspect(node, event), {
      absorbed: (actor: object, event: { readonly type: string }) => this.absorb(node, actor, event.type),
    });
  }

  /** Emits every open run of absorbed events now (a live stream's reader wants them before the window ends). */
  flush(): void {
    for (const [ref, run] of this.runs) this.endRun(ref, run);
    for (const [key, run] of this.repeats) this.endRepeat(key, run);
  }

  /** Forwards every message of a bus into the stream. */
  attachBus(bus: Bus): Subscription {
    const subscription = bus.messages$.subscribe((message) => this.fromBus(message));
    this.buses.push(subscription);
    return subscription;
  }

  /** A fault injected by the simulator. */
  fault(text: string): void {
    this.emit({ kind: 'fault', at: this.clock.now(), text });
  }

  /** A node's process went down or came up (a simulated crash, stop, restart or start). */
  process(node: string, up: boolean, cause: string): void {
    // A process that goes down ends its node's runs: nothing more of them is coming.
    if (!up) {
      const prefix = `${node}/`;
      for (const [ref, run] of this.runs) if (run.actor.startsWith(prefix)) this.endRun(ref, run);
      for (const [key, run] of this.repeats) if (key.startsWith(prefix)) this.endRepeat(key, run);
    }
    this.emit({ kind: 'process', at: this.clock.now(), node, up, cause });
  }

  complete(): void {
    this.flush();
    for (const s of this.buses) s.unsubscribe();
    this.subject.complete();
    this.busSubject.complete();
  }

  private fromBus(message: BusMessage): void {
    this.busSubject.next(message);
    if (message.kind === 'advert_sent') {
      this.repeat(message);
      return;
    }
    // Anything else about an instance ends its run of advertisements first.
    if (this.repeats.size > 0 && 'instance' in message && message.instance !== undefined) {
      const key = `${message.node}/${message.instance}`;
      const run = this.repeats.get(key);
      if (run !== undefined) this.endRepeat(key, run);
    }
    this.emit({ kind: 'bus', at: message.at, message });
  }

  private repeat(message: Extract<BusMessage, { kind: 'advert_sent' }>): void {
    const key = `${message.node}/${message.instance}`;
    const run = this.repeats.get(key);
    if (run !== undefined) {
      if (run.message.priority === message.priority && message.at - run.message.at < this.steadyWindowMs) {
        run.count++;
        run.last = message.at;
        return;
      }
      this.endRepeat(key, run);
    }
    this.repeats.set(key, { message, count: 1, last: message.at });
  }

  private endRepeat(key: string, run: RepeatRun): void {
    this.repeats.delete(key);
    this.emit({ kind: 'repeated', at: this.clock.now(), message: run.message, count: run.count, last: run.last });
  }

  private emit(event: ObservedEvent): void {
    this.count++;
    this.subject.next(event);
  }

  /** One event an actor's runner answered without the machine, leaving the actor as it was. */
  private absorb(node: string, ref: object, event: string): void {
    this.absorbed++;
    const at = this.clock.now();
    const run = this.runs.get(ref);
    if (run !== undefined) {
      if (run.event === event && at - run.first < this.steadyWindowMs) {
        run.count++;
        run.last = at;
        return;
      }
      this.endRun(ref, run);
    }
    const actor = this.names.get(ref) ?? `${node}/${(ref as { id?: unknown }).id ?? '?'}`;
    const state = this.tracks.get(actor)?.state ?? [];
    this.runs.set(ref, { actor, event, state, first: at, last: at, count: 1 });
  }

  private endRun(ref: object, run: SteadyRun): void {
    this.runs.delete(ref);
    const { actor, event, state, count, first, last } = run;
    this.emit({ kind: 'steady', at: this.clock.now(), actor, event, state, count, first, last });
  }

  private inspect(node: string, event: InspectionEvent): void {
    // Anything that happens to an actor ends its run of absorbed events first, so the stream keeps their order.
    if (this.runs.size > 0) {
      const run = this.runs.get(event.actorRef);
      if (run !== undefined) this.endRun(event.actorRef, run);
    }
    if (event.type === '@xstate.snapshot') {
      const snapshot = event.snapshot as { value?: unknown; context?: unknown; status?: string };
      if (snapshot.value === undefined) return;
      let actor = this.names.get(event.actorRef);
      if (actor === undefined) {
        actor = `${node}/${actorId(event)}`;
        this.names.set(event.actorRef, actor);
      }
      let track = this.tracks.get(actor);
      if (!track) {
        track = { state: [], info: undefined, value: undefined, context: undefined };
        this.tracks.set(actor, track);
      }
      // Unchanged references (an event that moved nothing) need no work: the hot path.
      let changed = false;
      if (snapshot.value !== track.value) {
        const next = leafPaths(snapshot.value);
        changed = !sameList(track.state, next);
        if (changed) track.state = next;
        track.value = snapshot.value;
      }
      let infoChanged = false;
      let info = track.info;
      if (snapshot.context !== track.context) {
        this.contexts.set(actor, snapshot.context);
        track.context = snapshot.context;
        const next = actorInfo(snapshot.context);
        infoChanged = !sameInfo(track.info, next);
        if (infoChanged) info = track.info = next;
      }
      const state = track.state;
      const at = this.clock.now();
      this.emit(
        infoChanged && info
          ? { kind: 'step', at, actor, event: event.event.type, state, changed, info }
          : { kind: 'step', at, actor, event: event.event.type, state, changed },
      );
      return;
    }
    if (event.type === '@xstate.actor') {
      const logic = (event.actorRef as { logic?: unknown }).logic;
      if (!isMachine(logic)) return;
      const at = this.clock.now();
      if (!this.graphs.has(logic.id)) {
        const graph = machineGraph(logic);
        this.graphs.set(logic.id, graph);
        this.emit({ kind: 'machine', at, graph });
      }
      const id = actorId(event);
      const actor = `${node}/${id}`;
      // A rebuilt actor (supervision, reload) starts from scratch: a run of its predecessor's ends here (an actor
      // that failed may have said nothing more).
      if (this.runs.size > 0) for (const [ref, run] of this.runs) if (run.actor === actor) this.endRun(ref, run);
      this.tracks.set(actor, { state: [], info: undefined, value: undefined, context: undefined });
      this.machineOf.set(actor, logic.id);
      this.emit({ kind: 'actor', at, actor, node, id, machine: logic.id });
    }
  }
}
