/**
 * The status socket of a running daemon: a Unix stream socket carrying msgpackr frames, each prefixed with its
 * length (4 bytes, big-endian). A client sends one request ({ cmd: 'status' } …) and reads one reply.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Packr } from 'msgpackr';

const packr = new Packr({ mapsAsObjects: true, useRecords: false });
const MAX_FRAME = 16 << 20;

export function encodeFrame(value: unknown): Buffer {
  const body = packr.pack(value);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into frames; calls `onFrame` for each complete one. */
export function frameReader(onFrame: (value: unknown) => void, onError: (error: Error) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (length > MAX_FRAME) {
        onError(new Error(`status frame of ${length} bytes is too large`));
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

export async function serveStatus(path: string, handler: StatusHandler): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  const server = createServer((socket: Socket) => {
    socket.on('data', frameReader(
      (request) => {
        let reply: unknown;
        try {
          reply = handler(request);
        } catch (err) {
          reply = { error: err instanceof Error ? err.message : String(err) };
        }
        socket.end(encodeFrame(reply));
      },
      () => socket.destroy(),
    ));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  server.unref();
  return server;
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
  });
}
