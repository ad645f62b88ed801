/** What the model tests of the machines (@xstate/graph paths) need to fire timers by hand. Only exports. */
import type { AnyStateNode } from 'xstate';

/**
 * The timer events pending in a snapshot: its active state nodes' `after` transitions, and `timeoutEvent` while the
 * actor `timerActor` (the machine's own timer, e.g. the Master_Down_Timer) is invoked.
 */
export function pendingTimerEvents<E extends { type: string }>(snapshot: unknown, timerActor: string, timeoutEvent: string): E[] {
  const nodes = (snapshot as { _nodes: AnyStateNode[] })._nodes;
  const out: E[] = [];
  for (const node of nodes) {
    for (const t of node.after) out.push({ type: t.eventType } as unknown as E);
    if (node.invoke.some((i) => i.src === timerActor)) out.push({ type: timeoutEvent } as unknown as E);
  }
  return out;
}
