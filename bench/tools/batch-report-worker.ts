/**
 * A checker worker entry for bench/liveness-stall.ts: every checker added fails, and all of them report in one
 * message, sent once no checker has been added for 200 ms (what the real worker sends when thousands of checkers
 * fail together, made certain). Speaks the worker protocol otherwise (ready, pong, counters, stopped).
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import type { CheckerReport } from '../../machines/checker.js';
import { decodeMessage, encodeMessage, type FromWorker, type ToWorker } from '../../actors/checks/checker-wire.js';

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  const send = (message: FromWorker): void => {
    const bytes = encodeMessage(message);
    port.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
  };
  let batch: CheckerReport[] = [];
  let timer: NodeJS.Timeout | undefined;
  port.on('message', (bytes: Uint8Array) => {
    const message = decodeMessage<ToWorker>(bytes);
    if (message.t === 'add') {
      for (const c of message.checkers) batch.push({ id: c.id, up: false, weight: undefined, firstRun: true, detail: 'connect ECONNREFUSED' });
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        send({ t: 'reports', reports: batch });
        batch = [];
      }, 200);
    } else if (message.t === 'ping' || message.t === 'counters') {
      send({ t: message.t === 'ping' ? 'pong' : 'counters', req: message.req, probes: 0, failures: 0 });
    } else if (message.t === 'stop') {
      if (timer !== undefined) clearTimeout(timer);
      send({ t: 'stopped' });
      port.close();
    }
  });
  send({ t: 'ready' });
}
