/**
 * keepalived's rules for the AH sequence number (RFC 2402 §3.3.2 anti-replay, as keepalived 2.2 applies it to
 * VRRP). One counter per instance serves both directions:
 * - each advertisement sent takes the counter plus one (the same number for every unicast peer of it); past
 *   0xFFFFFFFD it stops counting and is marked cycled (receivers then drop what it sends);
 * - a received advertisement is accepted only with a number above the counter, which then takes that number;
 * - a master hearing a lower priority takes that advertisement's number plus one, so that the advertisement it
 *   sends in answer is accepted by the other router whatever its counter was;
 * - a cycled counter restarts from 0 when the instance becomes master.
 * The counter survives a reload (keepalived copies it to the new instance of the same name).
 */
export interface AhCounter {
  /** Unsigned 32-bit: the last number sent or accepted. */
  readonly sequence: number;
  readonly cycled: boolean;
}

export const AH_COUNTER_START: AhCounter = { sequence: 0, cycled: false };
/** Above this the counter stops (keepalived's 0xFFFFFFFD). */
export const AH_SEQUENCE_LAST_STEP = 0xfffffffd;

/** The counter after one advertisement is sent; its `sequence` goes into the AH header. */
export function sendSequence(counter: AhCounter): AhCounter {
  if (counter.sequence > AH_SEQUENCE_LAST_STEP) return { sequence: counter.sequence, cycled: true };
  return { sequence: counter.sequence + 1, cycled: counter.cycled };
}

/** Anti-replay: only a number above the counter is news. */
export function sequenceAccepted(counter: AhCounter, received: number): boolean {
  return received > counter.sequence;
}

export type AhReceiveContext = 'backup' | 'master_yields' | 'master_hears_lower' | 'other';

/**
 * The counter after an advertisement with `received` passed every check. A backup, or a master that yields,
 * clears the cycled mark; a master hearing a lower priority jumps past the sender.
 */
export function receivedSequence(counter: AhCounter, received: number, context: AhReceiveContext): AhCounter {
  if (context === 'master_hears_lower') return { sequence: (received + 1) >>> 0, cycled: false };
  const sequence = Math.max(counter.sequence, received);
  return { sequence, cycled: context === 'other' ? counter.cycled : false };
}

/** Becoming master: a cycled counter starts again (keepalived vrrp_state_goto_master). */
export function masterSequence(counter: AhCounter): AhCounter {
  return counter.cycled ? AH_COUNTER_START : counter;
}
