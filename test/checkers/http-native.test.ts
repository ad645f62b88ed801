/**
 * HTTP_GET through the native connector (an exchange: connect, request, answer) must judge every server the way
 * the Node-socket path does: the answer ended by Content-Length on a connection left open, by the server's close,
 * split over many writes, large, empty, not HTTP, cut by a reset, never coming; the framing edge cases of
 * protocol/http-response.ts (whitespace in the status line and Content-Length, folded and repeated Content-Length,
 * bare LF line ends); a refused port. The request bytes on the wire are the same too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { probeHttp, httpRequest } from '../../transport/real/probers/http-prober.js';
import { NativeTcpEngine, nativeTcpEngine } from '../../transport/real/probers/native-tcp-prober.js';
import type { HttpProbeSpec, HttpUrlProbe, ProbeResult } from '../../transport/prober.js';

const skip = nativeTcpEngine() === undefined ? 'vigil_native addon not built' : false;
const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** A raw TCP server whose every connection is answered by `behave` once the request's header is in. */
async function rawServer(behave: (socket: Socket, request: Buffer) => void): Promise<{ server: Server; port: number; requests: Buffer[] }> {
  const requests: Buffer[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => {});
    let data = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (!answered && data.includes('\r\n\r\n')) {
        answered = true;
        requests.push(data);
        behave(socket, data);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, requests };
}

const big = Buffer.alloc(1 << 20, 'a');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cases: { name: string; url?: Partial<HttpUrlProbe>; behave: (socket: Socket) => void; expect: RegExp | true; timeoutMs?: number }[] = [
  {
    name: 'Content-Length reached on a connection the server keeps open',
    url: { digest: md5('hello') },
    behave: (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'),
    expect: true,
  },
  {
    name: 'no Content-Length: the body runs to the server\'s close',
    url: { digest: md5('to the end') },
    behave: (s) => s.end('HTTP/1.0 200 OK\r\n\r\nto the end'),
    expect: true,
  },
  {
    name: 'header and body split over many writes',
    url: { digest: md5('0123456789') },
    behave: (s) => {
      const text = 'HTTP/1.0 200 OK\r\nServer: slow\r\ncontent-length:   10\r\n\r\n0123456789';
      void (async () => {
        for (let i = 0; i < text.length; i += 7) {
          s.write(text.slice(i, i + 7));
          await pause(2);
        }
      })();
    },
    expect: true,
  },
  {
    name: 'a 1 MiB body with its digest',
    url: { digest: md5(big) },
    behave: (s) => {
      s.write(`HTTP/1.0 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`);
      s.end(big);
    },
    expect: true,
  },
  { name: 'status 503', behave: (s) => s.end('HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'), expect: /status 503 not accepted/ },
  { name: 'a digest that differs', url: { digest: md5('other') }, behave: (s) => s.end('HTTP/1.0 200 OK\r\n\r\nthis'), expect: /MD5 digest/ },
  { name: 'closed without a byte', behave: (s) => s.end(), expect: /empty response/ },
  { name: 'not HTTP', behave: (s) => s.end('SSH-2.0-OpenSSH\r\n\r\n'), expect: /status 0 not accepted|no HTTP header/ },
  { name: 'no header end before the close', behave: (s) => s.end('HTTP/1.0 200 OK\r\nX: y'), expect: /no HTTP header in the response/ },
  {
    name: 'a reset after a complete header: what came is judged',
    behave: (s) => {
      s.write('HTTP/1.0 200 OK\r\n\r\npartial');
      setTimeout(() => s.resetAndDestroy(), 20);
    },
    expect: true,
  },
  { name: 'never answers: the timeout', behave: () => {}, expect: /timeout/, timeoutMs: 300 },
  // The framing edge cases (protocol/http-response.ts): the connector's end of reading and the parser agree.
  { name: 'two spaces before the status code: status 0', behave: (s) => s.write('HTTP/1.1  200 OK\r\nContent-Length: 2\r\n\r\nok'), expect: /status 0 not accepted/ },
  { name: 'a tab before the status code: status 0', behave: (s) => s.write('HTTP/1.1\t200 OK\r\nContent-Length: 2\r\n\r\nok'), expect: /status 0 not accepted/ },
  { name: 'no reason phrase and no space after the code: status 0', behave: (s) => s.write('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n'), expect: /status 0 not accepted/ },
  { name: 'an empty reason phrase after its space', behave: (s) => s.write('HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n'), expect: true },
  {
    name: 'spaces and tabs before a lower-case Content-Length value, on a connection kept open',
    url: { digest: md5('hello') },
    behave: (s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: \t 5\r\n\r\nhello'),
    expect: true,
  },
  {
    name: 'a body longer than Content-Length: the digest covers Content-Length bytes',
    url: { digest: md5('hello') },
    behave: (s) => s.end('HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA'),
    expect: true,
  },
  {
    name: 'a folded Content-Length is no length: the body runs to the close',
    url: { digest: md5('hello world') },
    behave: (s) => s.end('HTTP/1.0 200 OK\r\nContent-Length:\r\n 5\r\n\r\nhello world'),
    expect: true,
  },
  { name: 'a folded Content-Length on a connection kept open: the timeout', behave: (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length:\r\n 5\r\n\r\nhello'), expect: /timeout/, timeoutMs: 300 },
  { name: 'the first Content-Length line decides, even without a number', behave: (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: x\r\nContent-Length: 5\r\n\r\nhello'), expect: /timeout/, timeoutMs: 300 },
  { name: 'a space before the colon is not Content-Length', behave: (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello'), expect: /timeout/, timeoutMs: 300 },
  { name: 'bare LF line ends: no header', behave: (s) => s.end('HTTP/1.0 200 OK\nContent-Length: 2\n\nok'), expect: /no HTTP header in the response/ },
  { name: 'bare LF line ends on a connection kept open: the timeout', behave: (s) => s.write('HTTP/1.0 200 OK\nContent-Length: 2\n\nok'), expect: /timeout/, timeoutMs: 300 },
];

// A server that answers is given all the time a loaded machine may need; only the timeout case waits for it.
const spec = (port: number, url: Partial<HttpUrlProbe> = {}, timeoutMs = 10_000): HttpProbeSpec => ({
  kind: 'http',
  tls: false,
  target: { host: '127.0.0.1', port },
  timeoutMs,
  httpProtocol: '1.0',
  urls: [{ path: '/health', statusCodes: [[200, 299]], host: 'web.test', ...url }],
});

/** Both paths' verdicts on one server; the native one must really have gone through an exchange. */
async function bothWays(port: number, url?: Partial<HttpUrlProbe>, timeoutMs?: number): Promise<{ native: ProbeResult; socket: ProbeResult }> {
  const engine = nativeTcpEngine()!;
  const original = NativeTcpEngine.prototype.exchange;
  let exchanges = 0;
  engine.exchange = function (...args: Parameters<NativeTcpEngine['exchange']>) {
    exchanges++;
    return original.apply(this, args);
  };
  try {
    const native = await probeHttp(spec(port, url, timeoutMs));
    assert.equal(exchanges, 1, 'the native path fetched the url');
    const socket = await probeHttp(spec(port, url, timeoutMs), 'socket');
    assert.equal(exchanges, 1, 'the socket path did not use the connector');
    return { native, socket };
  } finally {
    engine.exchange = original;
  }
}

for (const c of cases) {
  test(`HTTP_GET native and socket paths agree: ${c.name}`, { skip }, async () => {
    const { server, port, requests } = await rawServer(c.behave);
    try {
      const { native, socket } = await bothWays(port, c.url, c.timeoutMs);
      for (const [path, r] of [['native', native], ['socket', socket]] as const) {
        if (c.expect === true) assert.equal(r.ok, true, `${path}: ${r.detail}`);
        else {
          assert.equal(r.ok, false, `${path} passed`);
          assert.match(r.detail, c.expect, path);
        }
      }
      assert.equal(native.detail.replace(/\d+ ms/, ''), socket.detail.replace(/\d+ ms/, ''));
      // keepalived's request, byte for byte, on both paths.
      const expected = httpRequest(spec(port, c.url).urls[0]!, '1.0');
      assert.deepEqual(requests.map((r) => r.toString('latin1')), [expected, expected]);
    } finally {
      server.close();
    }
  });
}

test('HTTP_GET native path: a refused port reads as Node\'s socket error does', { skip }, async () => {
  const { server, port } = await rawServer(() => {});
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const { native, socket } = await bothWays(port);
  assert.equal(native.ok, false);
  assert.equal(native.detail, `/health: connect ECONNREFUSED 127.0.0.1:${port}`);
  assert.equal(native.detail, socket.detail);
});
