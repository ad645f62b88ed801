/**
 * The daemon's ConfigLoader on a real host: each load runs in a config worker thread of its own
 * (actors/daemon/config-worker.ts) and arrives in chunks (actors/daemon/config-wire.ts), so that neither reading
 * nor handing over a large configuration holds up the VRRP thread for longer than a chunk.
 */
import { Worker } from 'node:worker_threads';
import { deserialize } from 'node:v8';
import { ConfigLoadError } from '../../config/load.js';
import type { ConfigLoader, LoadedRunnable } from '../runnable-config.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { FromConfigWorker, ToConfigWorker } from './config-wire.js';

const WORKER_URL = new URL('./config-worker.js', import.meta.url);

export function workerConfigLoader(entry: URL = WORKER_URL): ConfigLoader {
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
        signal?.removeEventListener('abort', abort);
        void worker.terminate();
        outcome();
      };
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
      worker.on('exit', (code) => settle(() => reject(new Error(`the config worker exited (code ${code}) before ${file} was read`))));
      post({ type: 'load', file, options, runningLvsDigest: running?.lvsDigest });
    });
}
