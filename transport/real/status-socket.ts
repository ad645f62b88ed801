/**
 * The status socket of a running daemon: a Unix stream socket carrying msgpackr frames, each prefixed with its
 * length (4 bytes, big-endian). A client sends one request ({ cmd: 'status' } …) and reads one reply.
 *
 * The daemon's side is a root service on a path: the socket is created 0600 (unless a mode is given), only a
 * socket is ever removed from its path (a stale one left by a crash; never a file, a directory or a link, and
 * never one a live daemon still answers on), connections are capped, a request frame is small, and a client
 * that says nothing is dropped after an idle timeout.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { Packr } from 'msgpackr';

const packr = new Packr({ mapsAsObjects: true, useRecords: false });
/** Replies (a status with thousands of real servers) may be large. */
const MAX_FRAME = 16 << 20;

export function encodeFrame(value: unknown): Buffer {
  const body = packr.pack(value);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into frames; calls `onFrame` for each complete one. A frame over `maxFrame` is an error. */
export function frameReader(onFrame: (value: unknown) => void, onError: (error: Error) => void, maxFrame = MAX_FRAME): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (length > maxFrame) {
        onError(new Error(`status frame of ${length} bytes is too large (at most ${maxFrame})`));
        buffered = Buffer.alloc(0);
        return;
      }
      if (buffered.length < 4 + length) return;
      const body = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      try {
        onFrame(packr.unpack(body));
      } catch (err) {
        onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
}

export type StatusHandler = (request: unknown) => unknown;

export interface StatusServerOptions {
  /** Mode of the socket (default 0600: root only). */
  readonly mode?: number;
  /** Connections at once; more are refused (default 16). */
  readonly maxConnections?: number;
  /** Largest request frame (default 64 KiB; a request is a few bytes). */
  readonly maxRequestBytes?: number;
  /** A connection with nothing read or written for this long is closed (default 10 s). */
  readonly idleMs?: number;
}

export interface StatusServer {
  readonly server: Server;
  /** Stops listening and removes the socket, if the one at the path is still this server's. */
  close(): void;
}

/** Whether something answers on the Unix socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Makes the path free for a new socket: removes only a stale socket; throws for anything else there. */
async function clearSocketPath(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) {
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isFile() ? 'a regular file' : 'not a socket';
    throw new Error(`${path} is ${what}, not a socket: not removed`);
  }
  if (await answers(path)) throw new Error(`${path}: another daemon answers on it: not removed`);
  unlinkSync(path);
}

export async function serveStatus(path: string, handler: StatusHandler, options: StatusServerOptions = {}): Promise<StatusServer> {
  const mode = options.mode ?? 0o600;
  const maxRequest = options.maxRequestBytes ?? 64 << 10;
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  await clearSocketPath(path);
  const server = createServer((socket: Socket) => {
    let answered = false;
    socket.setTimeout(options.idleMs ?? 10_000, () => socket.destroy());
    socket.on('data', frameReader(
      (request) => {
        // One request per connection.
        if (answered) return;
        answered = true;
        let reply: unknown;
        try {
          reply = handler(request);
        } catch (err) {
          reply = { error: err instanceof Error ? err.message : String(err) };
        }
        socket.end(encodeFrame(reply));
      },
      () => socket.destroy(),
      maxRequest,
    ));
    socket.on('error', () => socket.destroy());
  });
  server.maxConnections = options.maxConnections ?? 16;
  // The socket is born with the mode asked for (bind(2) applies the umask): no moment where others may connect.
  const umask = process.umask(0o777 & ~mode);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
      // bind(2) has run by now (listen on a path binds synchronously): the umask can go back.
      process.umask(umask);
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(path, mode);
  const { ino, dev } = lstatSync(path);
  server.unref();
  return {
    server,
    close() {
      server.close();
      try {
        const st = lstatSync(path);
        if (st.isSocket() && st.ino === ino && st.dev === dev) unlinkSync(path);
      } catch {
        // gone already
      }
    },
  };
}

export function requestStatus(path: string, request: unknown, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(encodeFrame(request)));
    socket.on('data', frameReader(
      (reply) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      },
      (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      },
    ));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // Closed without a reply (a daemon at its connection cap): said now, not at the timeout. After a reply or an
    // error this rejection is ignored.
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`${path} closed the connection without an answer`));
    });
  });
}
