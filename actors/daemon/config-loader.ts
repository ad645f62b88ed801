/**
 * The daemon's ConfigLoader on a real host: each load runs in a config worker thread of its own
 * (actors/daemon/config-worker.ts) and arrives in chunks (actors/daemon/config-wire.ts), so that neither reading
 * nor handing over a large configuration holds up the VRRP thread for longer than a chunk. A load that does not end
 * within a bound (an include on a hung file system) is given up: on reload the running configuration stays, and the
 * next SIGHUP reads afresh on a new worker.
 */
import { Worker } from 'node:worker_threads';
import { deserialize } from 'node:v8';
import { ConfigLoadError } from '../../config/load.js';
import type { ConfigLoader, LoadedRunnable } from '../runnable-config.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { FromConfigWorker, ToConfigWorker } from './config-wire.js';

const WORKER_URL = new URL('./config-worker.js', import.meta.url);

/**
 * How long one load may take. Reading, parsing and judging 300,000 lines takes about 5 s on a busy 2-core host
 * (bench/liveness-stall.ts); a load still going after this is hung, not slow.
 */
export const CONFIG_LOAD_TIMEOUT_MS = 60_000;

export interface WorkerConfigLoaderOptions {
  /** The worker's entry module (tests give one that hangs). */
  readonly entry?: URL | undefined;
  readonly timeoutMs?: number | undefined;
}

/** Loads given up whose worker thread has not ended yet (blocked in a system call that cannot be interrupted). */
let stuckWorkers = 0;

export function workerConfigLoader(options: WorkerConfigLoaderOptions = {}): ConfigLoader {
  const entry = options.entry ?? WORKER_URL;
  const timeoutMs = options.timeoutMs ?? CONFIG_LOAD_TIMEOUT_MS;
  return (file, options, running, signal) =>
    new Promise<LoadedRunnable>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const worker = new Worker(entry);
      const post = (message: ToConfigWorker): void => worker.postMessage(message);
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        void worker.terminate();
        outcome();
      };
      // A hung load (keepalived has none: its reload would wait forever) is given up; its thread is told to end,
      // and one blocked in a system call ends when that call returns without holding the daemon's exit.
      const timer = setTimeout(() => {
        worker.unref();
        stuckWorkers++;
        worker.once('exit', () => stuckWorkers--);
        const stuck = stuckWorkers > 1 ? ` (${stuckWorkers} loads given up have not ended yet)` : '';
        settle(() => reject(new ConfigLoadError(`${file}: not read within ${timeoutMs / 1000} s, given up (an include that blocks?)${stuck}`)));
      }, timeoutMs);
      // Given up (the daemon stopping): the worker ends now, whatever it was reading.
      const abort = (): void => settle(() => reject(signal?.reason));
      signal?.addEventListener('abort', abort, { once: true });
      let head: Extract<FromConfigWorker, { type: 'loaded' }> | undefined;
      const arrays: Record<string, unknown[]> = {};
      const complete = (): void => {
        const loaded = head!;
        const config = { ...(deserialize(Buffer.from(loaded.rest)) as Record<string, unknown>), ...arrays } as Record<string, unknown>;
        for (const key of loaded.reused) config[key] = (running?.config as unknown as Record<string, unknown> | undefined)?.[key];
        settle(() => resolve({ config: config as unknown as KeepalivedConfig, warnings: loaded.warnings, refused: loaded.refused, lvsDigest: loaded.lvsDigest }));
      };
      worker.on('message', (message: FromConfigWorker) => {
        if (settled) return;
        switch (message.type) {
          case 'error':
            settle(() => reject(message.configError ? new ConfigLoadError(message.message) : new Error(`reading ${file}: ${message.message}`)));
            return;
          case 'loaded':
            head = message;
            if (message.arrays.length === 0) complete();
            else post({ type: 'next' });
            return;
          case 'chunk': {
            const into = (arrays[message.array] ??= []);
            for (const item of message.items) into.push(deserialize(Buffer.from(item.buffer, item.byteOffset, item.byteLength)));
            if (message.last) complete();
            else post({ type: 'next' });
            return;
          }
        }
      });
      worker.on('error', (err) => settle(() => reject(err)));
      worker.on('exit', (code) =>
        settle(() => reject(new Error(`the config worker exited (code ${code}) before ${file} was read`))),
      );
      post({ type: 'load', file, options, runningLvsDigest: running?.lvsDigest });
    });
}
