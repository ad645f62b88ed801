/**
 * VRRP timers (RFC 5798 §6.1, RFC 3768 §6.1), in integer microseconds as keepalived keeps them, then converted to
 * the milliseconds of the Clock. Integer microseconds make the simulator's times exact and reproducible:
 * priority 90 at 1 s gives a skew of 648437 µs (keepalived truncates the half microsecond too).
 */
import type { VrrpVersion } from '../protocol/vrrp-types.js';

const MICROS_PER_CS = 10_000;

/** Skew_Time: v3 ((256 − Priority) × Master_Adver_Interval) / 256; v2 (256 − Priority) / 256 s. */
export function skewMicros(version: VrrpVersion, priority: number, masterAdverIntervalCs: number): number {
  if (version === 2) return Math.floor(((256 - priority) * 1_000_000) / 256);
  return Math.floor(((256 - priority) * masterAdverIntervalCs * MICROS_PER_CS) / 256);
}

/** The RFCs' count of advertisement intervals in Master_Down_Interval (RFC 5798 §6.1, RFC 3768 §6.1). */
export const DOWN_TIMER_ADVERTS = 3;

/**
 * Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time; keepalived's `down_timer_adverts` (1..100) replaces
 * the 3 (vrrp.h VRRP_MS_DOWN_TIMER).
 */
export function masterDownMicros(version: VrrpVersion, priority: number, masterAdverIntervalCs: number, downTimerAdverts = DOWN_TIMER_ADVERTS): number {
  return downTimerAdverts * masterAdverIntervalCs * MICROS_PER_CS + skewMicros(version, priority, masterAdverIntervalCs);
}

export function microsToMs(micros: number): number {
  return micros / 1000;
}

export function csToMs(cs: number): number {
  return cs * 10;
}
