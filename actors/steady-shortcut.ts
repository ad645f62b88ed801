/**
 * The steady-state shortcut of a runner (actors/vrrp/vrrp-instance-runner.ts, actors/checks/checker-runner.ts). In
 * the steady state a machine gives the same answer to the same event all day: a backup hearing its master restarts
 * Master_Down_Timer, a checker whose server keeps answering schedules its next probe. When the machine answered an
 * event with that one answer and nothing else (the same states, the same context values, no other effect), the
 * same event in the snapshot it left gets the same answer from the runner, without the machine.
 *
 * What keeps it safe to change: the key is the whole event the machine would receive, compared field by field (a
 * field the machine starts to read is part of the key already), and the snapshot object the answer left (anything
 * else the machine heard since, its own timers included, makes a new snapshot). A runner asked not to (or stopped)
 * remembers nothing: every event then goes through the machine.
 *
 * Observed, the shortcut stays on (issue 17: an observed run costs what a plain one does). XState never sees the
 * events it answers, so the runner tells the inspector's `absorbed` hook of each one (observe/inspection-stream.ts
 * sums a run of them up in one record): the stream still hears of every event, only not one record each.
 */
import type { AnyActorRef, EventObject, InspectionEvent } from 'xstate';

/** What the shortcut needs of an XState actor. */
export interface ShortcutActor<Event> {
  getSnapshot(): { readonly value: unknown; readonly context: object };
  send(event: Event): void;
}

export interface SteadyShortcutOptions<Event extends object> {
  /** Whether an answer may be remembered now (false when the shortcut is switched off, or the runner stopped). */
  readonly remember: () => boolean;
  /** Told of each event answered without the machine (an observer's `absorbed`), after its answer was given. */
  readonly hit?: ((event: Event) => void) | undefined;
  /** Two different objects in a context field that are equal all the same (the context is compared by reference). */
  readonly sameField?: (key: string, x: unknown, y: unknown) => boolean;
}

/**
 * An XState `inspect` callback that may also take the events a runner's shortcut answered without the machine
 * (which XState therefore never reports): `absorbed(actor, event)`, called once per such event, at its time.
 */
export type ShortcutInspector = ((event: InspectionEvent) => void) & {
  readonly absorbed?: (actor: AnyActorRef, event: EventObject) => void;
};

/** The `absorbed` hook of an inspector, when it has one. */
export function absorbedHook(inspect: ((event: InspectionEvent) => void) | undefined): ((actor: AnyActorRef, event: EventObject) => void) | undefined {
  return (inspect as ShortcutInspector | undefined)?.absorbed;
}

interface Memo<Event, Answer> {
  readonly snapshot: unknown;
  readonly event: Event;
  /** The event's fields and their values, in order: the same event, built by the same code, is checked in one pass. */
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  readonly answer: Answer;
}

export class SteadyShortcut<Event extends object, Answer> {
  /** Events answered without the machine. */
  hits = 0;
  private memo: Memo<Event, Answer> | undefined;
  private answers = 0;
  private lastAnswer: Answer | undefined;
  private effects = 0;

  constructor(private readonly options: SteadyShortcutOptions<Event>) {}

  /** The machine gave the steady answer (the runtime's hook calls this while the machine runs). */
  answered(answer: Answer): void {
    this.answers++;
    this.lastAnswer = answer;
  }

  /** The machine did something else: any action with a side effect. */
  effect(): void {
    this.effects++;
  }

  /**
   * Delivers `event`: gives the remembered answer through `replay` when it applies (`replay` returns false when
   * it cannot, and the event then goes to the machine), else sends the event to `actor` and remembers the answer
   * when it was all that happened.
   */
  deliver(actor: ShortcutActor<Event>, event: Event, replay: (answer: Answer) => boolean): void {
    const before = actor.getSnapshot();
    const memo = this.memo;
    if (memo !== undefined && memo.snapshot === before && (memo.event === event || sameEvent(memo, event)) && replay(memo.answer)) {
      this.hits++;
      this.options.hit?.(event);
      return;
    }
    this.memo = undefined;
    const answers = this.answers;
    const effects = this.effects;
    actor.send(event);
    if (this.answers !== answers + 1 || this.effects !== effects || !this.options.remember()) return;
    const after = actor.getSnapshot();
    if (sameStateValue(before.value, after.value) && sameContextValues(before.context, after.context, this.options.sameField)) {
      const keys = Object.keys(event);
      const values = keys.map((key) => (event as Record<string, unknown>)[key]);
      this.memo = { snapshot: after, event, keys, values, answer: this.lastAnswer as Answer };
    }
  }

  /** Forget the remembered answer (the runtime changed something the machine does not see). */
  forget(): void {
    this.memo = undefined;
  }
}

/**
 * The remembered event and this one are equal, field by field (sameData); in one pass over the new event when its
 * fields come in the remembered order, as they do when the same code builds both (the hot path: a loop over the
 * event's own fields is what V8 makes fast, looking fields up by a name held elsewhere is not).
 */
function sameEvent<Event extends object>(memo: Memo<Event, unknown>, event: Event): boolean {
  const { keys, values } = memo;
  const fields = event as Record<string, unknown>;
  let i = 0;
  for (const key in fields) {
    if (key !== keys[i]) return sameData(memo.event, event);
    const value = fields[key];
    const remembered = values[i];
    if (value !== remembered && (typeof value !== 'object' || !sameData(remembered, value))) return false;
    i++;
  }
  return i === keys.length;
}

/**
 * Two values of plain data (primitives, plain objects, arrays) are equal, field by field. On the hot path (an
 * advertisement a second per backup, a result per probe): equal primitives cost one comparison each.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let fields = 0;
  for (const key in x) {
    const xv = x[key];
    const yv = y[key];
    if (xv !== yv) {
      if (typeof xv !== 'object' || !sameData(xv, yv)) return false;
    } else if (yv === undefined && !Object.hasOwn(y, key)) {
      return false;
    }
    fields++;
  }
  for (const _ in y) fields--;
  return fields === 0;
}

/** Two XState state values name the same states (every region's substate of a parallel state too). */
export function sameStateValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => sameStateValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Two contexts hold the same values: every field by reference (a machine replaces what it changes, never mutates
 * it), unless `sameField` says two different objects in a field are equal.
 */
export function sameContextValues(a: object, b: object, sameField?: (key: string, x: unknown, y: unknown) => boolean): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    return x === y || (sameField?.(k, x, y) ?? false);
  });
}
