/**
 * Runs a virtual clock for tests that drive a daemon or runner on it: promise callbacks (process outcomes, address
 * and firewall changes, the daemon's awaits) run between timers, as they would between real timer expiries.
 */
import type { VirtualClock } from '../sim/virtual-clock.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Advances `clock` by `ms`, one timer at a time, with a turn of the event loop after each and at the end. */
export async function advanceSettling(clock: VirtualClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  while ((clock.peek() ?? Infinity) <= end) {
    clock.step();
    await nextTurn();
  }
  clock.runUntil(end);
  await nextTurn();
}
