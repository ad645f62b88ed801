/**
 * Servers on 127.0.0.1 for the prober tests: each can be stopped and started again on the same port, so a test
 * can take a real server down and bring it back.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Restartable {
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

type Listener = Server;

/** A TCP-based server that can be stopped (connections cut) and restarted on its port. */
async function restartable(make: () => Listener): Promise<Restartable> {
  let server = make();
  const sockets = new Set<Socket>();
  const track = (s: Listener): void => {
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    s.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  };
  track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let running = true;
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    stop,
    async start() {
      if (running) return;
      server = make();
      track(server);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      running = true;
    },
    close: stop,
  };
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function startHttp(handler: HttpHandler): Promise<Restartable> {
  return restartable(() => createHttpServer(handler));
}

/** A self-signed certificate made with `openssl req` for this run. */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=vigil-test',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function startHttps(handler: HttpHandler, credentials: ServerOptions): Promise<Restartable> {
  return restartable(() => createHttpsServer(credentials, handler));
}

/** A plain TCP listener that accepts and says nothing. */
export function startTcp(): Promise<Restartable> {
  return restartable(() => createTcpServer(() => {}));
}

/** A fake SMTP server: greeting, HELO (recording the name), QUIT. `greeting` can be changed to make it fail. */
export async function startSmtp(options: { greeting?: () => string; helos?: string[] } = {}): Promise<Restartable> {
  return restartable(() =>
    createTcpServer((socket) => {
      socket.setEncoding('latin1');
      socket.write(options.greeting?.() ?? '220-fake.example ESMTP\r\n220 ready\r\n');
      let buffer = '';
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        let eol: number;
        while ((eol = buffer.indexOf('\r\n')) >= 0) {
          const line = buffer.slice(0, eol);
          buffer = buffer.slice(eol + 2);
          if (line.startsWith('HELO ')) {
            options.helos?.push(line.slice(5));
            socket.write('250-fake.example\r\n250 pleased to meet you\r\n');
          } else if (line === 'QUIT') {
            socket.end('221 bye\r\n');
          } else {
            socket.write('500 what\r\n');
          }
        }
      });
      socket.on('error', () => {});
    }),
  );
}

export interface UdpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A UDP server answering each datagram with `reply(message)` (nothing when it returns undefined). */
export async function startUdp(reply: (message: Buffer) => Uint8Array | undefined, port = 0): Promise<UdpServer> {
  const socket: UdpSocket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const answer = reply(message);
    if (answer !== undefined) socket.send(answer, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A fake DNS server: answers with the query's id, QR set and `rcode()`; `wrongIdFirst` sends a decoy first. */
export function startDns(options: { rcode: () => number; wrongIdFirst?: boolean; queries?: Buffer[] }, port = 0): Promise<UdpServer> {
  const socket: UdpSocket = createSocket('udp4');
  socket.on('message', (query, remote) => {
    options.queries?.push(query);
    const answer = Buffer.from(query);
    answer[2] = 0x81; // QR + RD
    answer[3] = 0x80 | (options.rcode() & 0x0f); // RA + RCODE
    if (options.wrongIdFirst) {
      const decoy = Buffer.from(answer);
      decoy.writeUInt16BE((answer.readUInt16BE(0) + 1) & 0xffff, 0);
      decoy[3] = 0x80; // NOERROR, but the wrong id
      socket.send(decoy, remote.port, remote.address);
    }
    socket.send(answer, remote.port, remote.address);
  });
  return new Promise((resolve) =>
    socket.bind(port, '127.0.0.1', () =>
      resolve({ port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) }),
    ),
  );
}
