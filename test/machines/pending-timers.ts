/** What the model tests of the machines (@xstate/graph paths) need to fire timers by hand. Only exports. */
import type { AnyStateNode } from 'xstate';

/**
 * The timer events pending in a snapshot: its active state nodes' `after` transitions, and `timeoutEvent` while the
 * machine's own timer runs: `timer` names the actor invoked for it (e.g. the Master_Down_Timer), or tells from an
 * active state node whether that state runs it (a timer started by an entry action).
 */
export function pendingTimerEvents<E extends { type: string }>(snapshot: unknown, timer: string | ((node: AnyStateNode) => boolean), timeoutEvent: string): E[] {
  const runs = typeof timer === 'string' ? (node: AnyStateNode) => node.invoke.some((i) => i.src === timer) : timer;
  const nodes = (snapshot as { _nodes: AnyStateNode[] })._nodes;
  const out: E[] = [];
  for (const node of nodes) {
    for (const t of node.after) out.push({ type: t.eventType } as unknown as E);
    if (runs(node)) out.push({ type: timeoutEvent } as unknown as E);
  }
  return out;
}
