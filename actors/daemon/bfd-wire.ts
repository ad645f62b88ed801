/**
 * The messages between the VRRP thread and the BFD worker (actors/daemon/bfd-worker.ts), structured-cloned. Clock
 * times cross as the worker's clock reads them; the host shifts them by the difference of the threads' time origins.
 */
import type { BfdDropReason } from '../../protocol/bfd-types.js';
import type { BfdHostEvent, BfdHostSession } from '../bfd/bfd-host.js';
import type { BfdSessionSpec } from '../bfd/bfd-session-spec.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';

export interface BfdWorkerData {
  readonly scheduling: ThreadScheduling;
  /** The module whose `createBfdLink(random)` makes the link (default transport/real/udp-bfd-link.js). */
  readonly linkModule: string;
  /** How often the sessions' counters are reported besides after each change, milliseconds. */
  readonly statusMs: number;
  /** How often the worker says it is alive on its own timer (`beat`), milliseconds: a hung loop says nothing. */
  readonly heartbeatMs: number;
}

export type ToBfdWorker = { readonly t: 'apply'; readonly specs: readonly BfdSessionSpec[]; readonly epoch: number } | { readonly t: 'stop' };

export type FromBfdWorker =
  | { readonly t: 'ready'; readonly timeOrigin: number; readonly warnings: readonly string[] }
  | { readonly t: 'events'; readonly events: readonly BfdHostEvent[] }
  | { readonly t: 'sessions'; readonly sessions: readonly BfdHostSession[]; readonly drops: readonly (readonly [BfdDropReason, number])[] }
  | { readonly t: 'beat' }
  | { readonly t: 'stopped' };
