/**
 * The one inspection stream (docs/design.md "Observability"): every actor's XState inspection events and every bus
 * message, as ObservedEvent records on one RxJS stream, stamped by the injected clock. Actors are named
 * `node/actor-id`, so the actors of several simulated nodes share one stream. Nothing polls: records are pushed
 * as XState reports them.
 */
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { AnyStateMachine, InspectionEvent } from 'xstate';
import type { Bus } from '../actors/bus.js';
import type { Clock } from '../machines/clock.js';
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
  /** Records emitted so far. */
  count = 0;

  constructor(private readonly clock: Clock) {}

  /** The `inspect` option for the actors of one node. */
  inspector(node: string): (event: InspectionEvent) => void {
    return (event) => this.inspect(node, event);
  }

  /** Forwards every message of a bus into the stream. */
  attachBus(bus: Bus): Subscription {
    const subscription = bus.messages$.subscribe((message) => this.emit({ kind: 'bus', at: message.at, message }));
    this.buses.push(subscription);
    return subscription;
  }

  /** A fault injected by the simulator. */
  fault(text: string): void {
    this.emit({ kind: 'fault', at: this.clock.now(), text });
  }

  /** A node's process went down or came up (a simulated crash, stop, restart or start). */
  process(node: string, up: boolean, cause: string): void {
    this.emit({ kind: 'process', at: this.clock.now(), node, up, cause });
  }

  complete(): void {
    for (const s of this.buses) s.unsubscribe();
    this.subject.complete();
  }

  private emit(event: ObservedEvent): void {
    this.count++;
    this.subject.next(event);
  }

  private inspect(node: string, event: InspectionEvent): void {
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
      // A rebuilt actor (supervision, reload) starts from scratch.
      this.tracks.set(actor, { state: [], info: undefined, value: undefined, context: undefined });
      this.machineOf.set(actor, logic.id);
      this.emit({ kind: 'actor', at, actor, node, id, machine: logic.id });
    }
  }
}
