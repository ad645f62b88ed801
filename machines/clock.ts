/**
 * The one source of time in vigil. Monotonic milliseconds and timers.
 *
 * Its shape matches XState v5's `clock` actor option (setTimeout/clearTimeout), so the same object is given to
 * every actor; RxJS work uses a scheduler built on it (actors/clock-scheduler.ts). The real clock wraps the event
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
}
