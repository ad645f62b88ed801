/**
 * The config worker thread: reads, parses and judges a keepalived.conf off the VRRP thread (a reload of a
 * 300,000-line file took that thread 2–4 s of parsing, script judging and comparing), then hands the result over in
 * chunks as actors/daemon/config-wire.ts says. One worker per load; it exits when the VRRP thread has it all.
 */
import { parentPort } from 'node:worker_threads';
import { serialize } from 'node:v8';
import { ConfigLoadError } from '../../config/load.js';
import { readHostFacts } from '../../config/host-facts.js';
import { applyThreadScheduling } from '../../transport/real/thread-scheduling.js';
import { loadRunnable, LVS_ARRAYS } from '../runnable-config.js';
import { CHUNK_BYTES, type FromConfigWorker, type ToConfigWorker } from './config-wire.js';

const port = parentPort;
if (port === null) throw new Error('config-worker.js runs as a worker thread');

// Below the VRRP thread, as the checker worker (nice 10, the default slice rather than the VRRP thread's short one).
applyThreadScheduling({ nice: 10, sliceUs: 0 });

/**
 * Sends `message`; the last one of a load (the VRRP thread then ends this worker) raises the thread back to nice 0
 * first: the VRRP thread joins this thread when it ends, and a nice-10 thread freeing a large configuration on a
 * loaded host held it blocked for a tenth of a second and more (bench/liveness-stall.ts, blocked time).
 */
const send = (message: FromConfigWorker): void => {
  const last = message.type === 'error' || (message.type === 'loaded' && message.arrays.length === 0) || (message.type === 'chunk' && message.last);
  if (last) applyThreadScheduling({ nice: 0 });
  port.postMessage(message);
};

/** The chunks still to hand over, in order. */
let pending: FromConfigWorker[] = [];

function chunksOf(array: string, elements: readonly unknown[]): FromConfigWorker[] {
  const chunks: FromConfigWorker[] = [];
  let items: Uint8Array[] = [];
  let bytes = 0;
  for (const element of elements) {
    const item = serialize(element);
    items.push(item);
    bytes += item.byteLength;
    if (bytes >= CHUNK_BYTES) {
      chunks.push({ type: 'chunk', array, items, last: false });
      items = [];
      bytes = 0;
    }
  }
  if (items.length > 0 || chunks.length === 0) chunks.push({ type: 'chunk', array, items, last: false });
  return chunks;
}

port.on('message', (message: ToConfigWorker) => {
  if (message.type === 'next') {
    const chunk = pending.shift();
    if (chunk) send(chunk);
    return;
  }
  try {
    const loaded = loadRunnable(message.file, message.options, readHostFacts());
    const reused: string[] = loaded.lvsDigest === message.runningLvsDigest ? [...LVS_ARRAYS] : [];
    const config = loaded.config as unknown as Record<string, unknown>;
    const rest: Record<string, unknown> = {};
    const arrays: string[] = [];
    pending = [];
    for (const [key, value] of Object.entries(config)) {
      if (reused.includes(key)) continue;
      if (Array.isArray(value) && value.length > 0) {
        arrays.push(key);
        pending.push(...chunksOf(key, value));
      } else rest[key] = value;
    }
    const last = pending[pending.length - 1];
    if (last?.type === 'chunk') pending[pending.length - 1] = { ...last, last: true };
    send({ type: 'loaded', warnings: loaded.warnings, refused: loaded.refused, lvsDigest: loaded.lvsDigest, rest: serialize(rest), arrays, reused });
  } catch (err) {
    const configError = err instanceof ConfigLoadError;
    send({ type: 'error', message: configError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err), configError });
  }
});
