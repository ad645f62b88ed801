/**
 * The two timers of a BFD session as actors its machine invokes (./bfd-session.ts), on the injected Clock and
 * Random: the transmission timer (periodic, jittered per RFC 5880 §6.8.7) and the detection timer (§6.8.4).
 */
import { fromCallback } from 'xstate';
import type { Clock, TimerId } from './clock.js';
import { jitteredIntervalMs } from './bfd-session-logic.js';

/** A draw in [0, 1) (transport/random.ts has the same shape; machines/ may not import it). */
export interface BfdRandom {
  next(): number;
}

export interface BfdTxInterval {
  readonly type: 'TX_INTERVAL';
  readonly intervalUs: number;
}

/**
 * What the machine tells its detection timer: a packet received moves the deadline (DETECTION_RESTART, nothing
 * once it has expired); entering Down, Init or Up starts it afresh (DETECTION_START); AdminDown stops it.
 */
export type BfdDetectionCommand =
  | { readonly type: 'DETECTION_RESTART'; readonly delayMs: number }
  | { readonly type: 'DETECTION_START'; readonly delayMs: number }
  | { readonly type: 'DETECTION_STOP' };

/**
 * What a runtime may hook into the timers (actors/bfd/bfd-session-runner.ts: its steady-state shortcut). Absent,
 * the timers talk to the machine only.
 */
export interface BfdTimerHooks {
  /**
   * The transmission timer started (its retime, as TX_INTERVAL does it) or stopped for good (undefined): a runtime
   * that reports a change before the machine makes it sets the rate that change sets.
   */
  readonly transmission?: ((retime: ((intervalUs: number) => void) | undefined, owner: object) => void) | undefined;
  /** The transmission timer is due: true when the runtime dealt with it, else TX_TIMER goes to the machine. */
  readonly txDue?: (() => boolean) | undefined;
  /** The detection timer started (its restart, as DETECTION_RESTART does it) or stopped for good (undefined). */
  readonly detection?: ((restart: ((delayMs: number) => void) | undefined, owner: object) => void) | undefined;
  /**
   * The detection timer expired: true when the runtime dealt with it (it sends DETECTION_TIMEOUT to the machine
   * itself, later), else the timer sends it now.
   */
  readonly expired?: (() => boolean) | undefined;
}

/**
 * TX_TIMER every jittered interval, the first at once (no packet precedes it to keep a distance from). A new
 * interval applies from the next packet on, or at once when that comes sooner (keepalived
 * bfd_sender_reschedule: a shorter interval learnt is not held back by the longer pending one).
 */
export function bfdTransmitTimer(clock: Clock, random: BfdRandom, hooks: BfdTimerHooks = {}) {
  return fromCallback<BfdTxInterval, { intervalUs: number; detectMult: number }>(({ input, sendBack, receive }) => {
    let intervalUs = input.intervalUs;
    const next = (): number => jitteredIntervalMs(intervalUs, input.detectMult, random.next());
    let due = clock.now();
    let id: TimerId = clock.setTimeout(fire, 0);
    function fire(): void {
      due = clock.now() + next();
      id = clock.setTimeout(fire, due - clock.now());
      if (hooks.txDue?.() !== true) sendBack({ type: 'TX_TIMER' });
    }
    const retime = (newIntervalUs: number): void => {
      if (newIntervalUs === intervalUs) return;
      intervalUs = newIntervalUs;
      const sooner = clock.now() + next();
      if (sooner >= due) return;
      clock.clearTimeout(id);
      due = sooner;
      id = clock.setTimeout(fire, due - clock.now());
    };
    receive((event) => retime(event.intervalUs));
    const owner = {};
    hooks.transmission?.(retime, owner);
    return () => {
      clock.clearTimeout(id);
      hooks.transmission?.(undefined, owner);
    };
  });
}

/**
 * DETECTION_TIMEOUT once the delay of the last DETECTION_START passes without a DETECTION_RESTART (each valid
 * packet received restarts it); once expired or stopped, only a DETECTION_START arms it again. One timer for the
 * session's life, invoked at the machine's root: starting and stopping an actor on each change of state cost more
 * than the rest of the change (bench/bfd-down-cost.ts).
 * A restart only moves the deadline; the pending clock timer re-arms for the rest when it fires early, or is
 * replaced when the new deadline is sooner. It is a failure's deadline, like VRRP's Master_Down_Timer: on a clock
 * with precise timers (the daemon's) it is one, so that a session goes Down at its Detection Time and not a
 * millisecond or two (or a busy loop's tens) later.
 */
export function bfdDetectionTimer(clock: Clock, hooks: BfdTimerHooks = {}) {
  const set = clock.setPreciseTimeout?.bind(clock) ?? clock.setTimeout.bind(clock);
  return fromCallback<BfdDetectionCommand, Record<string, never>>(({ sendBack, receive }) => {
    let deadline = Infinity;
    let due = Infinity;
    let id: TimerId | undefined;
    function fire(): void {
      const now = clock.now();
      if (deadline > now) {
        due = deadline;
        id = set(fire, deadline - now);
        return;
      }
      id = undefined;
      if (hooks.expired?.() !== true) sendBack({ type: 'DETECTION_TIMEOUT' });
    }
    const disarm = (): void => {
      if (id !== undefined) clock.clearTimeout(id);
      id = undefined;
    };
    const restart = (delayMs: number): void => {
      if (id === undefined) return;
      deadline = clock.now() + delayMs;
      if (deadline >= due) return;
      clock.clearTimeout(id);
      due = deadline;
      id = set(fire, delayMs);
    };
    receive((event) => {
      if (event.type === 'DETECTION_RESTART') return restart(event.delayMs);
      disarm();
      if (event.type === 'DETECTION_STOP') return;
      deadline = due = clock.now() + event.delayMs;
      id = set(fire, event.delayMs);
    });
    const owner = {};
    hooks.detection?.(restart, owner);
    return () => {
      disarm();
      hooks.detection?.(undefined, owner);
    };
  });
}

/** The session's timers bound to a clock and a random source, for `machine.provide({ actors })`. */
export function bfdTimers(clock: Clock, random: BfdRandom, hooks: BfdTimerHooks = {}) {
  return { txTimer: bfdTransmitTimer(clock, random, hooks), detectionTimer: bfdDetectionTimer(clock, hooks) };
}
