/**
 * The gratuitous ARP / unsolicited NA schedule of a master, as an actor the instance machine invokes while MASTER
 * (machines/vrrp-instance.ts), on the injected Clock like the two protocol timers (./vrrp-timers.ts). Leaving
 * MASTER stops it, and with it every announcement still due.
 *
 * keepalived (vrrp.c vrrp_state_become_master, vrrp_state_master_tx, vrrp_state_master_rx; vrrp_scheduler.c):
 * - on becoming master a burst of garp_master_repeat announcements, the same burst again garp_master_delay later,
 *   and while master a burst of garp_master_refresh_repeat every garp_master_refresh;
 * - on hearing a lower priority (LOWER_PRIORITY), a burst of garp_lower_prio_repeat, and the same burst again
 *   garp_lower_prio_delay later; each advertisement heard has its own, and the refresh is left alone;
 * - every garp_extra_if, one announcement on each interface of a VIP other than the instance's own (`extra`).
 * vrrp_garp_interval / vrrp_gna_interval (or a garp_group's) space the announcements of a burst. keepalived 2.2.7
 * looks for a due refresh (and a due garp_extra_if) when it sends an advertisement, so its refresh falls on the
 * first advertisement after garp_master_refresh; here it comes at exactly garp_master_refresh (later versions time
 * it from garp_master_delay on a timer of its own).
 *
 * The announcements due at once are the machine's named action `announce` (keepalived's order: advertisement,
 * addresses, announcements, notify); this actor sends the later ones through the runtime's hooks.
 */
import { fromCallback } from 'xstate';
import type { Clock, TimerId } from './clock.js';

/** keepalived's GARP settings of one vrrp_instance, in milliseconds. */
export interface GarpSchedule {
  /** garp_master_delay: the second burst after becoming master (0 = none). */
  readonly garpMasterDelayMs: number;
  /** garp_master_repeat: announcements per burst. */
  readonly garpMasterRepeat: number;
  /** garp_master_refresh: a refresh burst this often while master (0 = none). */
  readonly garpMasterRefreshMs: number;
  /** garp_master_refresh_repeat: announcements per refresh burst. */
  readonly garpMasterRefreshRepeat: number;
  /** vrrp_garp_interval / vrrp_gna_interval: between the announcements of a burst (0 = all at once). */
  readonly garpIntervalMs: number;
  /** garp_lower_prio_repeat: announcements per burst on hearing a lower priority (0 = none). */
  readonly garpLowerPrioRepeat: number;
  /** garp_lower_prio_delay: the second lower-priority burst (0 = none). */
  readonly garpLowerPrioDelayMs: number;
  /** garp_extra_if: announcements on the other interfaces of the VIPs this often (0 = none, or none to announce on). */
  readonly garpExtraIfMs: number;
}

/** A lower-priority advertisement was heard (keepalived vrrp_state_master_rx). */
export interface GarpLowerPriority {
  readonly type: 'LOWER_PRIORITY';
}

/** The settings alone, out of a larger object (the instance's parameters), for the actor's input. */
export function garpScheduleOf(s: GarpSchedule): GarpSchedule {
  return {
    garpMasterDelayMs: s.garpMasterDelayMs,
    garpMasterRepeat: s.garpMasterRepeat,
    garpMasterRefreshMs: s.garpMasterRefreshMs,
    garpMasterRefreshRepeat: s.garpMasterRefreshRepeat,
    garpIntervalMs: s.garpIntervalMs,
    garpLowerPrioRepeat: s.garpLowerPrioRepeat,
    garpLowerPrioDelayMs: s.garpLowerPrioDelayMs,
    garpExtraIfMs: s.garpExtraIfMs,
  };
}

/**
 * A burst of `repeat` announcements as (offset from its start, announcements then): all at once without an
 * interval, else one every interval.
 */
export function burst(repeat: number, intervalMs: number): { readonly offsetMs: number; readonly count: number }[] {
  if (repeat <= 0) return [];
  if (intervalMs <= 0) return [{ offsetMs: 0, count: repeat }];
  return Array.from({ length: repeat }, (_, i) => ({ offsetMs: i * intervalMs, count: 1 }));
}

/** Announcements due the moment the schedule starts: the first part of the first burst (the `announce` action). */
export function announcementsAtOnce(s: GarpSchedule): number {
  return burst(s.garpMasterRepeat, s.garpIntervalMs)[0]?.count ?? 0;
}

/** Announcements due the moment a lower priority is heard (the `announce` action; the actor sends the rest). */
export function lowerPriorityAtOnce(s: GarpSchedule): number {
  return burst(s.garpLowerPrioRepeat, s.garpIntervalMs)[0]?.count ?? 0;
}

/**
 * The schedule as an actor. `announce(count)` sends `count` rounds of announcements for every virtual address; it
 * is called for everything after the announcements at once (which the machine's `announce` action sends).
 * `announceExtra()` sends one announcement on each extra interface (garp_extra_if).
 */
export function garpTimer(clock: Clock, announce: (count: number) => void, announceExtra: () => void = () => undefined) {
  return fromCallback<GarpLowerPriority, GarpSchedule>(({ input, receive }) => {
    const timers = new Set<TimerId>();
    const at = (delayMs: number, fn: () => void): void => {
      const id = clock.setTimeout(() => {
        timers.delete(id);
        fn();
      }, delayMs);
      timers.add(id);
    };
    /** A burst starting now; `skipFirst` when its announcements at offset 0 went out already. */
    const runBurst = (repeat: number, skipFirst: boolean): void => {
      for (const { offsetMs, count } of burst(repeat, input.garpIntervalMs)) {
        if (offsetMs === 0) {
          if (!skipFirst) announce(count);
        } else {
          at(offsetMs, () => announce(count));
        }
      }
    };
    const refresh = (): void => {
      runBurst(input.garpMasterRefreshRepeat, false);
      at(input.garpMasterRefreshMs, refresh);
    };
    const extra = (): void => {
      announceExtra();
      at(input.garpExtraIfMs, extra);
    };
    receive(() => {
      // keepalived vrrp_lower_prio_gratuitous_arp_thread: one delayed burst per advertisement heard.
      runBurst(input.garpLowerPrioRepeat, true);
      if (input.garpLowerPrioRepeat > 0 && input.garpLowerPrioDelayMs > 0) at(input.garpLowerPrioDelayMs, () => runBurst(input.garpLowerPrioRepeat, false));
    });
    runBurst(input.garpMasterRepeat, true);
    if (input.garpMasterDelayMs > 0) at(input.garpMasterDelayMs, () => runBurst(input.garpMasterRepeat, false));
    if (input.garpMasterRefreshMs > 0) at(input.garpMasterRefreshMs, refresh);
    if (input.garpExtraIfMs > 0) at(input.garpExtraIfMs, extra);
    return () => {
      for (const id of timers) clock.clearTimeout(id);
      timers.clear();
    };
  });
}
