/**
 * How a configuration crosses from the config worker (actors/daemon/config-worker.ts) to the VRRP thread without
 * stalling it: the worker serializes each element of each large array on its side, and hands them over in chunks
 * of about CHUNK_BYTES, one chunk per request of the VRRP thread. Between two chunks the VRRP thread's event loop
 * runs (timers, packets); a whole 300,000-line configuration at once took it 1.5–2 s to deserialize.
 */
import type { LoadOptions } from '../../config/load.js';

/** Bytes of serialized elements per chunk: some milliseconds of deserialization on a busy machine. */
export const CHUNK_BYTES = 128 * 1024;

export interface LoadRequest {
  readonly type: 'load';
  readonly file: string;
  readonly options: LoadOptions;
  /** The running configuration's lvsDigest: when the file's is equal, its checker arrays are not sent. */
  readonly runningLvsDigest: string | undefined;
}

export type ToConfigWorker = LoadRequest | { readonly type: 'next' };

export type FromConfigWorker =
  /** A configuration error (ConfigLoadError's one line) or an internal failure. */
  | { readonly type: 'error'; readonly message: string; readonly configError: boolean }
  /**
   * Loaded: `rest` is the configuration without the arrays named in `arrays` (v8-serialized); those follow in
   * chunks, each asked for with 'next'. `reused`: arrays left out because the running configuration has them equal.
   */
  | {
      readonly type: 'loaded';
      readonly warnings: readonly string[];
      readonly refused: readonly string[];
      readonly lvsDigest: string;
      readonly rest: Uint8Array;
      readonly arrays: readonly string[];
      readonly reused: readonly string[];
    }
  /** The next elements of one array, each v8-serialized; `last`: nothing follows. */
  | { readonly type: 'chunk'; readonly array: string; readonly items: readonly Uint8Array[]; readonly last: boolean };
