/**
 * A worker thread that ends while the addon is calling it back: `node native-worker-exit-child.js CASE` starts a
 * worker whose addon callback either calls process.exit(3) (`exit`) or spins until the main thread terminates it
 * (`terminate`, as the checker watchdog does with a hung worker), through the TCP connector (`connector-…`) or the
 * precise timer (`timer-…`). Prints `worker exit CODE` when the worker is gone; the process must live on.
 */
import { createServer } from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openPreciseTimer, openTcpConnector } from '../../native/index.js';

interface Setup {
  readonly mode: string;
  readonly port: number;
}

if (!isMainThread) {
  const { mode, port } = workerData as Setup;
  const inCallback = (): void => {
    if (mode.endsWith('exit')) process.exit(3);
    parentPort!.postMessage('in the callback');
    for (;;); // hung: only terminate() ends this
  };
  if (mode.startsWith('connector')) {
    // A one-pair results array: several answers make several calls from one native callback.
    const connector = openTcpConnector(new Int32Array(2), inCallback);
    for (let id = 0; id < 4; id++) connector.exchange(id, 4, '127.0.0.1', port, 2000, Buffer.from('GET / HTTP/1.0\r\n\r\n'), 1000);
  } else {
    openPreciseTimer(inCallback).arm(1);
  }
} else if (process.argv[2] !== undefined) {
  // Without a case (the test runner walks this folder and runs every file) there is nothing to do.
  const mode = process.argv[2];
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end('HTTP/1.0 200 OK\r\n\r\nok');
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    const worker = new Worker(new URL(import.meta.url), { workerData: { mode, port } satisfies Setup });
    worker.on('message', () => void worker.terminate());
    worker.on('exit', (code) => {
      process.stdout.write(`worker exit ${code}\n`);
      server.close();
    });
  });
}
