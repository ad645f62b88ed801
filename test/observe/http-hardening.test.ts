/**
 * The HTTP endpoint under hostile or careless clients (observe/http-server.ts): the Host header must name it
 * (DNS rebinding); a token, when set, is required, and a non-loopback address is refused without one; `/events`
 * clients are capped; one that does not read is dropped once its unsent data passes the bound, or when it
 * stalls a catch-up for longer than `stallMs`; the page and a backlog go out in slices, the event loop turning
 * between them, and the page is the same as in one piece; connections past the cap are closed at once.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ObservationServer, type ObservationServerOptions } from '../../observe/http-server.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { pageHtml } from '../../observe/page/page-html.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const TOKEN = 'c2VjcmV0LXRva2VuLWZvci12aWdpbA';

async function endpoint(t: TestContext, options: Partial<ObservationServerOptions> = {}) {
  const clock = new VirtualClock();
  const stream = new InspectionStream(clock);
  const server = new ObservationServer({ host: '127.0.0.1', port: 0, title: 'test', clock, stream, ...options });
  const bound = await server.listen();
  t.after(() => server.close());
  return { clock, stream, server, port: bound.port, host: bound.host };
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw connection that sends a request and then reads only when told (or never). */
function rawClient(port: number, path: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('data', (c: Buffer) => (data += c.toString()));
    socket.on('error', () => {});
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      resolve({ socket, received: () => data, closed });
    });
    socket.once('error', reject);
  });
}

/** Turns of the event loop until `done` settles. */
async function turnsDuring<T>(work: Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let finished = false;
  const spin = (): void => {
    turns++;
    if (!finished) setImmediate(spin);
  };
  setImmediate(spin);
  const value = await work;
  finished = true;
  return { value, turns };
}

async function eventually(check: () => boolean, what: string, limit = 20_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > limit) assert.fail(`not within ${limit} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('DNS rebinding: a Host that does not name the endpoint is refused', async (t) => {
  const { port, server } = await endpoint(t, { allowedHosts: ['lb1.example.net'] });
  assert.equal((await get(port, '/status', { host: 'attacker.example:' + port })).status, 403);
  assert.equal((await get(port, '/status', { host: 'attacker.example' })).status, 403);
  assert.equal((await get(port, '/status', { host: `10.0.0.1:${port}` })).status, 403);
  // The bound address, localhost (loopback), and a name it was told about.
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST.', `lb1.example.net:${port}`]) {
    assert.equal((await get(port, '/status', { host })).status, 503, host);
  }
  assert.equal(server.counters.badHost, 3);
});

test('a token, when set, is required: Bearer, ?token= (which sets a cookie for the page), or that cookie', async (t) => {
  const { port, server } = await endpoint(t, { token: TOKEN });
  assert.equal((await get(port, '/status')).status, 401);
  assert.equal((await get(port, '/status', { authorization: 'Bearer wrong-token-of-some-length' })).status, 401);
  assert.equal((await get(port, '/status?token=nope')).status, 401);
  assert.equal((await get(port, '/status', { authorization: `Bearer ${TOKEN}` })).status, 503);
  const page = await get(port, `/?token=${TOKEN}`);
  assert.equal(page.status, 200);
  const cookie = String(page.headers['set-cookie']);
  assert.match(cookie, /^vigil_token=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
  assert.equal((await get(port, '/status', { cookie: cookie.split(';')[0]! })).status, 503);
  assert.equal(server.counters.unauthorized, 3);
});

test('a non-loopback address is not served without a token; with one, any address literal but no foreign name', async (t) => {
  const clock = new VirtualClock();
  const stream = new InspectionStream(clock);
  const open = new ObservationServer({ host: '0.0.0.0', port: 0, title: 'x', clock, stream });
  await assert.rejects(open.listen(), /0\.0\.0\.0 is not a loopback address: serving it needs a token/);
  const { port } = await endpoint(t, { host: '0.0.0.0', token: TOKEN });
  const auth = { authorization: `Bearer ${TOKEN}` };
  assert.equal((await get(port, '/status', { ...auth, host: `192.0.2.7:${port}` })).status, 503);
  assert.equal((await get(port, '/status', { ...auth, host: `[2001:db8::7]:${port}` })).status, 503);
  assert.equal((await get(port, '/status', { ...auth, host: `rebound.example:${port}` })).status, 403);
});

test('/events clients are capped; a slot frees when a client goes', async (t) => {
  const { port, server } = await endpoint(t, { maxEventClients: 2 });
  const a = await rawClient(port, '/events');
  const b = await rawClient(port, '/events');
  await eventually(() => server.eventClients === 2, 'two clients');
  const refused = await get(port, '/events');
  assert.equal(refused.status, 503);
  assert.equal(server.counters.refusedEventClients, 1);
  a.socket.destroy();
  await eventually(() => server.eventClients === 1, 'a slot freed');
  const c = await rawClient(port, '/events');
  await eventually(() => c.received().includes('200 OK'), 'the next client accepted');
  b.socket.destroy();
  c.socket.destroy();
});

test('a client that does not read is dropped once its unsent data passes the bound; one that reads gets everything', async (t) => {
  const { port, server, stream } = await endpoint(t, { maxUnsentBytes: 256 << 10 });
  const lazy = await rawClient(port, '/events');
  const reader = await rawClient(port, '/events');
  await eventually(() => server.eventClients === 2 && lazy.received().includes('retry:'), 'both connected');
  lazy.socket.pause();
  const text = 'x'.repeat(16 << 10);
  // 32 MiB: more than the kernel buffers of a loopback connection can hold.
  for (let i = 0; i < 2048 && server.counters.droppedEventClients === 0; i++) {
    stream.fault(`${i} ${text}`);
    if (i % 4 === 3) await new Promise((r) => setImmediate(r));
  }
  assert.equal(server.counters.droppedEventClients, 1);
  // Reading again, it finds the connection closed by the server.
  lazy.socket.resume();
  await lazy.closed;
  assert.equal(server.eventClients, 1, 'the reader stays');
  stream.fault('last');
  await eventually(() => reader.received().includes('"last"'), 'the reader gets the latest record');
  reader.socket.destroy();
});

test('a catch-up the client stalls is dropped after stallMs of the clock', async (t) => {
  const { port, server, stream, clock } = await endpoint(t, { stallMs: 5000, tickMs: 1000 });
  const text = 'y'.repeat(8 << 10);
  for (let i = 0; i < 4096; i++) stream.fault(`${i} ${text}`);
  const stalled = await rawClient(port, '/events');
  stalled.socket.pause();
  // 32 MiB of backlog, nothing read: it becomes congested, and the clock runs on.
  await eventually(() => server.congestedEventClients === 1, 'congested');
  clock.runFor(3000);
  assert.equal(server.eventClients, 1, 'not yet');
  clock.runFor(4000);
  assert.equal(server.counters.droppedEventClients, 1);
  assert.equal(server.eventClients, 0);
  stalled.socket.resume();
  await stalled.closed;
});

test('the page and an /events backlog go out in slices, the event loop turning between them; the page is the same as in one piece', async (t) => {
  const { port, server, stream } = await endpoint(t, { sliceRecords: 50 });
  for (let i = 0; i < 20_000; i++) stream.fault(`f${i}`);
  const events = server.history.since(0).map((n) => [n.seq, n.event] as const);
  const expected = pageHtml({ title: 'test', live: true, eventsUrl: '/events', machineUrl: '/machines/', svgs: {}, thumbs: {}, events, endMs: server.history.lastAt });
  const { value: page, turns } = await turnsDuring(get(port, '/'));
  assert.equal(page.status, 200);
  assert.equal(page.body, expected);
  // 400 slices of 50 records: at least one turn each (in one piece, only the socket reads would turn it).
  assert.ok(turns >= 400, `${turns} turns`);

  const backlog = await rawClient(port, '/events?from=0');
  const { turns: catchUpTurns } = await turnsDuring(
    (async () => eventually(() => backlog.received().includes('"f19999"'), 'the whole backlog'))(),
  );
  assert.ok(catchUpTurns >= 400, `${catchUpTurns} turns during the catch-up`);
  const ids = [...backlog.received().matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(ids, events.map(([seq]) => seq), 'every record once, in order');
  backlog.socket.destroy();
});

test('connections are capped: one past the cap is closed at once, the others are served; a freed slot serves again', async (t) => {
  const { port } = await endpoint(t, { maxConnections: 2 });
  // Two idle connections that never send a request hold both slots.
  const open = (): Promise<{ socket: Socket; closed: Promise<void> }> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => {});
      socket.once('connect', () => resolve({ socket, closed }));
      socket.once('error', reject);
    });
  const a = await open();
  const b = await open();
  const third = await open();
  // The server closes the connection past the cap without reading it.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'open'>((r) => (timer = setTimeout(() => r('open'), 20_000)));
  assert.equal(await Promise.race([third.closed.then(() => 'closed' as const), late]), 'closed', 'the connection past the cap was closed');
  clearTimeout(timer);
  await assert.rejects(get(port, '/metrics'));
  a.socket.destroy();
  await a.closed;
  // The server hears of the close on its side a moment later: asked again until answered.
  let reply: Reply | undefined;
  const start = performance.now();
  while (reply === undefined) {
    reply = await get(port, '/metrics').catch(() => undefined);
    if (reply === undefined && performance.now() - start > 20_000) assert.fail('no answer within 20 s of a slot freed');
  }
  assert.ok(reply.status > 0);
  b.socket.destroy();
});
