/**
 * The messages between the main thread and the checker worker, encoded with msgpackr (plain records, Uint8Array
 * as bin) and sent as transferred ArrayBuffers.
 */
import { Packr } from 'msgpackr';
import type { CheckerReport } from '../../machines/checker.js';
import type { ResolvedChecker } from './resolve-checkers.js';

export type ToWorker =
  | { readonly t: 'add'; readonly checkers: readonly ResolvedChecker[]; readonly disabled: readonly string[]; readonly initialUp: readonly (readonly [string, boolean])[] }
  | { readonly t: 'remove'; readonly ids: readonly string[] }
  | { readonly t: 'enable'; readonly ids: readonly string[]; readonly enabled: boolean }
  | { readonly t: 'counters'; readonly req: number }
  | { readonly t: 'ping'; readonly req: number }
  | { readonly t: 'stop' };

export type FromWorker =
  | { readonly t: 'ready' }
  /** `failures`: keepalived log_all_failures, [checker id, detail]. */
  | { readonly t: 'reports'; readonly reports: readonly CheckerReport[]; readonly failures?: readonly (readonly [string, string])[] }
  | { readonly t: 'counters'; readonly req: number; readonly probes: number; readonly failures: number }
  /** Carries the probe counters, so that a dead worker's count is known up to its last heartbeat. */
  | { readonly t: 'pong'; readonly req: number; readonly probes: number; readonly failures: number }
  | { readonly t: 'stopped' };

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** Encodes into a fresh buffer of its own, so that it can be transferred. */
export function encodeMessage(message: ToWorker | FromWorker): Uint8Array {
  return new Uint8Array(packr.pack(message));
}

export function decodeMessage<T extends ToWorker | FromWorker>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}
