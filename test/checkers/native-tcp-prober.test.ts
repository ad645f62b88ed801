/**
 * TCP_CHECK through the native connector (native/src/tcp_connector.cc) against real listeners: open port → up,
 * closed port → ECONNREFUSED, IPv4 and IPv6, bindto, many probes settling in shared batches, and connect_timeout
 * against a target that never answers (inside a network namespace). The net.Socket fallback must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { nativeTcpEngine, NativeTcpEngine } from '../../transport/real/probers/native-tcp-prober.js';
import { probeTcpSocket } from '../../transport/real/probers/socket-tcp-prober.js';
import { probeTcp } from '../../transport/real/probers/tcp-prober.js';
import type { ProbeResult, TcpProbeSpec } from '../../transport/prober.js';
import { createLan, requireNetns } from '../netns/harness.js';

const engine = nativeTcpEngine();
const skip = engine === undefined ? 'vigil_native addon not built' : false;

function probeNative(spec: TcpProbeSpec): Promise<ProbeResult> {
  return new Promise((resolve) => engine!.probe(spec, resolve));
}

async function listen(host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

/** A port that was just listening and is now closed. */
async function closedPort(host: string): Promise<number> {
  const { server, port } = await listen(host);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const tcp = (host: string, port: number, extra: Partial<TcpProbeSpec['target']> = {}, timeoutMs = 2000): TcpProbeSpec => ({
  kind: 'tcp',
  target: { host, port, ...extra },
  timeoutMs,
});

for (const host of ['127.0.0.1', '::1']) {
  test(`native TCP_CHECK on ${host}: open port up, closed port ECONNREFUSED`, { skip }, async () => {
    const { server, port } = await listen(host);
    try {
      const up = await probeNative(tcp(host, port));
      assert.equal(up.ok, true);
      assert.equal(up.detail, 'connected');
      assert.ok(up.latencyMs >= 0);
    } finally {
      server.close();
    }
    const closed = await closedPort(host);
    const down = await probeNative(tcp(host, closed));
    assert.equal(down.ok, false);
    assert.match(down.detail, /ECONNREFUSED/);
    assert.equal(engine!.inFlight, 0);
  });
}

test('native TCP_CHECK to a local listener settles inside connect(): nothing left in flight, still answered later', { skip }, async () => {
  const { server, port } = await listen('127.0.0.1');
  try {
    const refused = await closedPort('127.0.0.1');
    const answers: ProbeResult[] = [];
    engine!.probe(tcp('127.0.0.1', port), (r) => answers.push(r));
    engine!.probe(tcp('127.0.0.1', refused), (r) => answers.push(r));
    // The kernel ran both handshakes in the connect call: no epoll registration was needed for either.
    assert.equal(engine!.inFlight, 0);
    // The prober contract: never answered synchronously.
    assert.equal(answers.length, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      answers.map((r) => [r.ok, r.ok ? r.detail : /ECONNREFUSED/.test(r.detail)]),
      [
        [true, 'connected'],
        [false, true],
      ],
    );
  } finally {
    server.close();
  }
});

test('native TCP_CHECK: bindto is the source address; an address not ours fails with EADDRNOTAVAIL', { skip }, async () => {
  const sources: string[] = [];
  const server = createServer((socket) => {
    sources.push(socket.remoteAddress ?? '');
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    assert.equal((await probeNative(tcp('127.0.0.1', port, { bindto: '127.0.0.9' }))).ok, true);
    // The server sees the connection a moment after the probe's connect: wait for it (bounded), not a fixed time.
    for (const start = performance.now(); !sources.includes('127.0.0.9') && performance.now() - start < 10_000; ) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(sources.includes('127.0.0.9'), `sources seen: ${sources.join(', ')}`);
    const bad = await probeNative(tcp('127.0.0.1', port, { bindto: '192.168.77.250' }));
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /EADDRNOTAVAIL/);
  } finally {
    server.close();
  }
});

test('native TCP_CHECK: IPv6 bindto ::1 reaches ::1', { skip }, async () => {
  const { server, port } = await listen('::1');
  try {
    assert.equal((await probeNative(tcp('::1', port, { bindto: '::1' }))).ok, true);
  } finally {
    server.close();
  }
});

test('native TCP_CHECK: 400 probes at once, half to a closed port, each gets its own outcome', { skip }, async () => {
  const { server, port } = await listen('127.0.0.1');
  const closed = await closedPort('127.0.0.1');
  try {
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => probeNative(tcp('127.0.0.1', i % 2 === 0 ? port : closed, {}, 10_000)).then((r) => [i, r] as const)),
    );
    for (const [i, r] of results) assert.equal(r.ok, i % 2 === 0, `probe ${i}: ${r.detail}`);
    assert.equal(engine!.inFlight, 0);
  } finally {
    server.close();
  }
});

test('TCP_CHECK takes the native path for IP literals only; a host name goes through net.Socket', async () => {
  assert.equal(NativeTcpEngine.takes(tcp('10.0.0.1', 80)), true);
  assert.equal(NativeTcpEngine.takes(tcp('fd77::1', 80)), true);
  assert.equal(NativeTcpEngine.takes(tcp('fe80::1%eth0', 80)), false);
  assert.equal(NativeTcpEngine.takes(tcp('localhost', 80)), false);
  assert.equal(NativeTcpEngine.takes(tcp('10.0.0.1', 80, { bindto: 'fd77::1' })), false);
  const { server, port } = await listen('127.0.0.1');
  try {
    assert.equal((await probeTcp(tcp('localhost', port))).ok, true);
  } finally {
    server.close();
  }
});

test('TCP_CHECK: a target that never answers fails with "connect timeout" (native and net.Socket, in a namespace)', async (t) => {
  if (!requireNetns(t)) return;
  const lan = await createLan({ name: 'tcpto', hosts: ['checker'], v4Prefix: '192.168.77.X', v4Start: 180 });
  try {
    const ns = lan.host('checker').ns;
    const cli = fileURLToPath(new URL('./tcp-probe-cli.js', import.meta.url));
    // 192.168.77.199 is on the LAN but nobody has it: ARP never resolves and the SYN is never answered.
    const spec = JSON.stringify(tcp('192.168.77.199', 80, {}, 300));
    for (const mode of engine === undefined ? ['socket'] : ['native', 'socket']) {
      const { stdout } = await lan.exec(ns, [process.execPath, cli, spec, mode]);
      const result = JSON.parse(stdout) as ProbeResult;
      assert.equal(result.ok, false, mode);
      assert.equal(result.detail, 'connect timeout', mode);
    }
    // And a listener in the namespace is reached by the same path.
    const { stdout } = await lan.exec(ns, [process.execPath, cli, JSON.stringify(tcp('192.168.77.180', 9, {}, 300))]);
    assert.match((JSON.parse(stdout) as ProbeResult).detail, /ECONNREFUSED/);
  } finally {
    await lan.cleanup();
  }
});

test('net.Socket fallback agrees on refused and connected', async () => {
  const { server, port } = await listen('127.0.0.1');
  try {
    assert.equal((await probeTcpSocket(tcp('127.0.0.1', port))).ok, true);
  } finally {
    server.close();
  }
  const down = await probeTcpSocket(tcp('127.0.0.1', await closedPort('127.0.0.1')));
  assert.match(down.detail, /ECONNREFUSED/);
});
