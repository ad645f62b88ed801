/**
 * An XState machine as plain data: its state tree and its transitions, labelled the way a reader of the machine
 * would say them ("ADVERTISEMENT [backupAccepts]", "after preemptDelay", "always [faulted]"), and the actors each
 * state invokes while it is active (the VRRP instance's timers: adverTimer, masterDownTimer, garpTimer). The SVG and Mermaid
 * renderers and the live page read this, never the machine object, so a flight recording can carry it.
 * Transitions without a target only run actions (they do not move the machine) and are left out.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export type GraphStateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface GraphState {
  /** Dotted path from the root ('' for the root itself), e.g. "BACKUP.timer.waiting". */
  readonly path: string;
  /** The state's own key, e.g. "waiting" (for the root: the machine id). */
  readonly key: string;
  readonly type: GraphStateType;
  /** Path of the initial child of a compound state. */
  readonly initial?: string | undefined;
  /** The actors it invokes (their `src`), running while it is active; absent when none (and in older recordings). */
  readonly invokes?: readonly string[] | undefined;
  readonly children: readonly GraphState[];
}

export interface GraphTransition {
  readonly source: string;
  readonly target: string;
  readonly label: string;
  readonly kind: 'event' | 'after' | 'always';
}

export interface MachineGraph {
  readonly id: string;
  readonly root: GraphState;
  readonly transitions: readonly GraphTransition[];
}

function pathOf(node: AnyStateNode): string {
  return node.path.join('.');
}

function guardText(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') return guard.type;
  if (typeof guard === 'function') {
    // xstate's and()/or()/not() carry their operands in `guards`.
    const operands = (guard as { guards?: unknown }).guards;
    if (Array.isArray(operands) && (guard.name === 'and' || guard.name === 'or' || guard.name === 'not')) {
      const parts = operands.map((g) => guardText(g) ?? 'guard');
      if (guard.name === 'not') return `!${parts[0]}`;
      return `(${parts.join(guard.name === 'and' ? ' && ' : ' || ')})`;
    }
    return guard.name || 'guard';
  }
  return 'guard';
}

function withGuard(text: string, guard: unknown): string {
  const g = guardText(guard);
  if (g === undefined) return text;
  return text ? `${text} [${g}]` : `[${g}]`;
}

function stateOf(node: AnyStateNode): GraphState {
  const children = Object.values(node.states as Record<string, AnyStateNode>).map(stateOf);
  const initialTarget = node.type === 'compound' ? node.initial?.target?.[0] : undefined;
  const invokes = (node.invoke as readonly { src: unknown }[]).map((i) => (typeof i.src === 'string' ? i.src : 'actor'));
  return {
    path: pathOf(node),
    key: node.path.length === 0 ? node.machine.id : node.key,
    type: node.type,
    initial: initialTarget ? pathOf(initialTarget) : undefined,
    ...(invokes.length > 0 ? { invokes } : {}),
    children,
  };
}

interface TransitionLike {
  readonly target?: readonly AnyStateNode[] | undefined;
  readonly guard?: unknown;
  readonly eventType: string;
}

function collect(node: AnyStateNode, out: GraphTransition[]): void {
  const source = pathOf(node);
  const add = (t: TransitionLike, label: string, kind: GraphTransition['kind']): void => {
    for (const target of t.target ?? []) out.push({ source, target: pathOf(target), label: withGuard(label, t.guard), kind });
  };
  for (const [eventType, list] of node.transitions as Map<string, readonly TransitionLike[]>) {
    if (eventType.startsWith('xstate.after.')) continue;
    for (const t of list) add(t, eventType, 'event');
  }
  for (const t of node.after as readonly (TransitionLike & { delay: string | number })[]) {
    add(t, typeof t.delay === 'number' ? `after ${t.delay} ms` : `after ${t.delay}`, 'after');
  }
  for (const t of (node.always ?? []) as readonly TransitionLike[]) add(t, t.guard === undefined ? 'always' : '', 'always');
  for (const child of Object.values(node.states as Record<string, AnyStateNode>)) collect(child, out);
}

export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const transitions: GraphTransition[] = [];
  collect(machine.root, transitions);
  return { id: machine.id, root: stateOf(machine.root), transitions };
}

/** Every state of the graph, depth first, the root excluded. */
export function allStates(graph: MachineGraph): GraphState[] {
  const out: GraphState[] = [];
  const walk = (s: GraphState): void => {
    for (const c of s.children) {
      out.push(c);
      walk(c);
    }
  };
  walk(graph.root);
  return out;
}
