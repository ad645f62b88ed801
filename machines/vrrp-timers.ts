/**
 * The two timers of a VRRP instance (RFC 5798 §6.4) as actors that the instance machine invokes: Adver_Timer while
 * MASTER, Master_Down_Timer while a BACKUP waits. Both run on the injected Clock, so the same logic serves the
 * daemon and the simulator.
 *
 * Why actors and not `after` transitions: a router advertises every second all day, and a backup restarts its
 * Master_Down_Timer on every advertisement. As `after` transitions that is a state re-entry (cancel and reschedule)
 * per packet; as actors it is one clock timer per advertisement sent and a moved deadline per one received.
 */
import { fromCallback } from 'xstate';
import type { Clock, TimerId } from './clock.js';
import { garpTimer } from './garp-timer.js';

/** What the machine sends its Master_Down_Timer when an advertisement restarts it. */
export interface MasterDownRestart {
  readonly type: 'RESTART';
  readonly delayMs: number;
}

/** A live Master_Down_Timer, for a runtime that restarts it without going through the machine. */
export interface MasterDownHandle {
  restart(delayMs: number): void;
}

export interface VrrpTimerHooks {
  /** Called on every Adver_Timer expiry: send an advertisement. */
  readonly advertise: () => void;
  /** Called when the GARP schedule (./garp-timer.ts) has `count` rounds of announcements due; none when absent. */
  readonly announce?: (count: number) => void;
  /** Called every garp_extra_if: one announcement on each extra interface (./garp-timer.ts); none when absent. */
  readonly announceExtra?: () => void;
  /**
   * The clock time before which no Master_Down_Interval starts: the end of global_defs vrrp_startup_delay
   * (keepalived vrrp_init_instance_sands: a backup's timer runs from the end of the delay while it lasts).
   */
  readonly notBefore?: () => number;
  /** A Master_Down_Timer started, and this one stopped. */
  readonly masterDownStarted?: (handle: MasterDownHandle) => void;
  readonly masterDownStopped?: (handle: MasterDownHandle) => void;
  /** The machine restarted Master_Down_Timer with this delay. */
  readonly masterDownRestarted?: (delayMs: number) => void;
}

/**
 * Master_Down_Timer as a deadline. On an exact clock (the simulator's) a restart only moves the deadline; the one
 * pending timer, when it fires before the deadline, re-arms for the rest. On a clock with precise timers (the
 * daemon's), a restart re-arms at once so that the timer fires only at a real deadline (spinning precise timers
 * cost CPU in their last stretch). Either way, at the deadline it tells the machine MASTER_DOWN. A delay counts
 * from now, or from `notBefore` while that is still to come (vrrp_startup_delay).
 */
export function masterDownTimer(
  clock: Clock,
  hooks: Pick<VrrpTimerHooks, 'masterDownStarted' | 'masterDownStopped' | 'masterDownRestarted' | 'notBefore'> = {},
) {
  const precise = clock.setPreciseTimeout?.bind(clock);
  const notBefore = hooks.notBefore;
  const deadlineAfter = (delayMs: number): number => {
    const now = clock.now();
    return (notBefore === undefined ? now : Math.max(now, notBefore())) + delayMs;
  };
  return fromCallback<MasterDownRestart, { delayMs: number }>(({ input, sendBack, receive }) => {
    let deadline = deadlineAfter(input.delayMs);
    /** When the pending clock timer fires. */
    let due = deadline;
    let id: TimerId = (precise ?? clock.setTimeout.bind(clock))(fire, deadline - clock.now());
    function fire(): void {
      const now = clock.now();
      if (deadline > now) {
        due = deadline;
        id = clock.setTimeout(fire, deadline - now);
        return;
      }
      sendBack({ type: 'MASTER_DOWN' });
    }
    const handle: MasterDownHandle = {
      restart: (delayMs) => {
        deadline = deadlineAfter(delayMs);
        // A later deadline waits for the pending timer; an earlier one (a shorter interval learnt) cannot.
        if (precise === undefined && deadline >= due) return;
        clock.clearTimeout(id);
        due = deadline;
        id = (precise ?? clock.setTimeout.bind(clock))(fire, deadline - clock.now());
      },
    };
    receive((event) => {
      hooks.masterDownRestarted?.(event.delayMs);
      handle.restart(event.delayMs);
    });
    hooks.masterDownStarted?.(handle);
    return () => {
      clock.clearTimeout(id);
      hooks.masterDownStopped?.(handle);
    };
  });
}

/**
 * Adver_Timer: an advertisement every interval while invoked (the first goes out on entering MASTER). On a clock
 * with precise timers it is one: the backups time their Master_Down_Timer from these advertisements, and the
 * period error is what they see.
 */
export function adverTimer(clock: Clock, advertise: () => void) {
  const set = clock.setPreciseTimeout?.bind(clock) ?? clock.setTimeout.bind(clock);
  return fromCallback<{ type: 'NONE' }, { intervalMs: number }>(({ input }) => {
    let id = set(function tick(): void {
      id = set(tick, input.intervalMs);
      advertise();
    }, input.intervalMs);
    return () => clock.clearTimeout(id);
  });
}

/** The instance's timers bound to a clock, ready for `machine.provide({ actors })`. */
export function vrrpTimers(clock: Clock, hooks: VrrpTimerHooks) {
  const announce = hooks.announce ?? (() => undefined);
  return {
    masterDownTimer: masterDownTimer(clock, hooks),
    adverTimer: adverTimer(clock, hooks.advertise),
    garpTimer: garpTimer(clock, announce, hooks.announceExtra ?? (() => undefined)),
  };
}
