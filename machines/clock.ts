/**
 * The one source of time in vigil. Monotonic milliseconds and timers.
 *
 * Its shape matches XState v5's `clock` actor option (setTimeout/clearTimeout), so the same object is given to
 * every actor; RxJS work uses a scheduler built on it (transport/clock-scheduler.ts). The real clock wraps the event
 * loop (transport/real/real-clock.ts); the simulator's is a discrete-event queue (sim/virtual-clock.ts).
 */
export type TimerId = number;

export interface Clock {
  /** Monotonic time in milliseconds (virtual in the simulator). */
  now(): number;
  /** Runs `fn` once, `ms` milliseconds from now (0 when negative). */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a pending timer; unknown or fired ids are ignored (precise ones too). */
  clearTimeout(id: TimerId): void;
  /**
   * A timer that must end on time, never early: a failover's deadline (Master_Down_Timer, RFC 5798 §6.4.2). A
   * clock whose timers are exact already (the simulator's) does not offer it.
   */
  setPreciseTimeout?(fn: () => void, ms: number): TimerId;
  /**
   * Runs `fn` on a later turn of the loop, after whatever is due or ready by then (an advertisement's timer, a
   * packet): how a long job yields. The real clock wakes for it without sleeping, where setTimeout(fn, 0) sleeps a
   * millisecond at least and, on a loaded host, waits for a CPU again each time. Cancelled with clearTimeout.
   */
  nextTurn?(fn: () => void): TimerId;
}

/** `clock.nextTurn`, or a 0 ms timer on a clock without it (the simulator's: the same virtual time, later). */
export function nextTurn(clock: Clock, fn: () => void): TimerId {
  return clock.nextTurn !== undefined ? clock.nextTurn(fn) : clock.setTimeout(fn, 0);
}
