/**
 * What a daemon's HTTP endpoint offers a site (`vigil site`, observe/site/): its page records as length-prefixed
 * msgpack frames (observe/msgpack-frames.ts) at `/events?format=msgpack&from=SEQ`, and its clock at `/clock` for the
 * site's offset estimate. `incarnation` differs for every start of the endpoint, so a site that reconnects knows
 * whether `from=` still means anything (a restarted daemon numbers its records from 0 again).
 */
import type { ObservedEvent } from './observed-event.js';

export type PeerFrame =
  /** First: who is speaking, and its clock as the stream began. */
  | { readonly kind: 'hello'; readonly node: string; readonly incarnation: string; readonly now: number }
  /** One page record, numbered as `/events` numbers it. */
  | { readonly kind: 'record'; readonly seq: number; readonly event: ObservedEvent }
  /** The backlog asked for has been sent; what follows is live. */
  | { readonly kind: 'live' }
  /** The endpoint's clock, every tick (each second): nothing happened before `now` that was not sent. */
  | { readonly kind: 'tick'; readonly now: number };

/** `/clock`'s answer (JSON). */
export interface PeerClock {
  readonly now: number;
  /** The host's wall clock (ms since 1970) read with `now`, when the endpoint was given one. */
  readonly wall?: number;
  readonly node: string;
  readonly incarnation: string;
}
