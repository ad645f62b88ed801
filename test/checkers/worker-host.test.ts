/**
 * Checkers in a worker thread (msgpackr messages): reports cross back, a burst of 1,000 checks leaves the main
 * thread's event loop free (counted in ticks, not measured in time), and the supervisor replaces a worker that
 * crashes or hangs, resuming every checker from the state it last reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { RealClock } from '../../transport/real/real-clock.js';
import { WorkerCheckerHost } from '../../actors/daemon/worker-checker-host.js';
import type { HostEvent } from '../../actors/checks/checker-host.js';
import type { ResolvedChecker } from '../../actors/checks/resolve-checkers.js';
import { decodeMessage, encodeMessage, type ToWorker } from '../../actors/checks/checker-wire.js';
import { startTcp } from './local-servers.js';

function tcpChecker(id: string, port: number, over: Partial<ResolvedChecker['params']> = {}): ResolvedChecker {
  return {
    id,
    kind: 'TCP_CHECK',
    warmupMs: 0,
    params: { delayLoopMs: 200, timeoutMs: 500, retry: 0, delayBeforeRetryMs: 100, delayWhileDownMs: 200, alpha: false, fromStart: false, ...over },
    probe: { kind: 'tcp', target: { host: '127.0.0.1', port }, timeoutMs: 500 },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `what` holds; gives up after a bound generous enough for a loaded machine (it asserts no timing). */
async function until(what: () => boolean | Promise<boolean>, limitMs = 30_000): Promise<void> {
  const start = performance.now();
  while (!(await what())) {
    if (performance.now() - start > limitMs) throw new Error('condition not reached');
    await sleep(10);
  }
}

/** A TCP server in another process, so that serving does not load the main thread under test. */
async function tcpServerProcess(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', "const s=require('net').createServer(c=>c.destroy()).listen(0,'127.0.0.1',()=>console.log(s.address().port))"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { port: Number(line.toString().trim()), child };
}

test('msgpackr wire format: a checker spec with bytes round-trips', () => {
  const message: ToWorker = {
    t: 'add',
    checkers: [{ ...tcpChecker('x', 1), probe: { kind: 'udp', target: { host: '::1', port: 53 }, timeoutMs: 1, payload: Uint8Array.of(1, 2), requireReply: false, minReplyLength: 0, maxReplyLength: 255 } }],
    disabled: ['x'],
    initialUp: [['x', false]],
  };
  const decoded = decodeMessage<ToWorker>(encodeMessage(message));
  assert.ok(decoded.t === 'add');
  const probe = decoded.checkers[0]!.probe;
  assert.ok(probe.kind === 'udp');
  assert.deepEqual([...probe.payload], [1, 2]);
  assert.deepEqual(decoded.initialUp, [['x', false]]);
});

test('worker: reports come back; a server going down and up is seen', async () => {
  const server = await startTcp();
  const host = new WorkerCheckerHost({ clock: new RealClock() });
  const reports: string[] = [];
  host.events$.subscribe((e) => {
    if (e.kind === 'report') reports.push(`${e.report.id} ${e.report.up ? 'UP' : 'DOWN'}`);
  });
  try {
    host.add([tcpChecker('a', server.port)]);
    await until(() => reports.length >= 1);
    assert.deepEqual(reports, ['a UP']);
    await server.stop();
    await until(() => reports.length >= 2);
    await server.start();
    await until(() => reports.length >= 3);
    assert.deepEqual(reports, ['a UP', 'a DOWN', 'a UP']);
  } finally {
    await host.stop();
    await server.close();
  }
});

test('isolation: while the worker runs a burst of 1,000 checks, the main event loop keeps turning', async () => {
  const { port, child } = await tcpServerProcess();
  const host = new WorkerCheckerHost({ clock: new RealClock() });
  try {
    // All 1,000 are due at the same moment (warmup 0: 1 s after start), once (delay_loop 60 s).
    host.add(Array.from({ length: 1000 }, (_, i) => tcpChecker(`c${i}`, port, { delayLoopMs: 60_000 })));
    let ticks = 0;
    let ticking = true;
    const tick = (): void => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    await until(async () => (await host.counters()).probes > 0);
    tick();
    const ticksAtStart = ticks;
    await until(async () => (await host.counters()).probes >= 1000);
    ticking = false;
    const counters = await host.counters();
    assert.equal(counters.probes, 1000);
    assert.equal(counters.failures, 0);
    // The main thread was free throughout the burst: it turned its loop many times while the worker checked.
    assert.ok(ticks - ticksAtStart >= 50, `main loop turned only ${ticks - ticksAtStart} times`);
  } finally {
    await host.stop();
    child.kill();
  }
});

test('supervision: a crashed worker is replaced; checkers resume from their last state without flapping', async () => {
  const server = await startTcp();
  const host = new WorkerCheckerHost({ clock: new RealClock(), restartDelayMs: 50 });
  const events: HostEvent[] = [];
  host.events$.subscribe((e) => events.push(e));
  try {
    host.add([tcpChecker('a', server.port), tcpChecker('b', server.port + 0)]);
    await until(() => events.filter((e) => e.kind === 'report').length >= 2);
    const before = (await host.counters()).probes;
    host.crash();
    await until(() => host.restarts === 1);
    await until(async () => (await host.counters()).probes >= before + 4);
    const kinds = events.flatMap((e) => (e.kind === 'worker' ? [e.event] : []));
    assert.deepEqual(kinds, ['started', 'crashed', 'restarted']);
    // Only the first results were reported: the replacement started from UP and found them UP.
    const reports = events.flatMap((e) => (e.kind === 'report' ? [`${e.report.id} ${e.report.up}`] : []));
    assert.deepEqual(reports.sort(), ['a true', 'b true']);
  } finally {
    await host.stop();
    await server.close();
  }
});

test('watchdog: a worker that stops answering heartbeats is terminated and replaced', async () => {
  const server = await startTcp();
  // hangAfterMs counts from a worker's start: long enough for a worker thread to load on a loaded machine (a
  // replacement taken for hung while it starts would be replaced again and again), short enough for a quick test.
  const host = new WorkerCheckerHost({ clock: new RealClock(), heartbeatMs: 100, hangAfterMs: 3000, restartDelayMs: 20 });
  const kinds: string[] = [];
  host.events$.subscribe((e) => {
    if (e.kind === 'worker') kinds.push(e.event);
  });
  try {
    host.add([tcpChecker('a', server.port)]);
    // The worker answers first (probing), so what it misses next is the block, not its start.
    await until(async () => (await host.counters()).probes > 0);
    host.block(30_000);
    await until(() => host.restarts === 1);
    assert.deepEqual(kinds, ['started', 'hung', 'crashed', 'restarted']);
    const before = (await host.counters()).probes;
    await until(async () => (await host.counters()).probes > before);
  } finally {
    await host.stop();
    await server.close();
  }
});
