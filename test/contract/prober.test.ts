/**
 * The Prober contract (prober-contract.ts) on the real prober, against real local servers, programs and files, and
 * on the simulated prober; broken probers must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RealProber } from '../../transport/real/probers/real-prober.js';
import { SimulatedProber, type SimServerState } from '../../sim/simulated-prober.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { CallbackProber, Endpoint, ProbeKind, ProbeResult, ProbeSpec } from '../../transport/prober.js';
import { createLan, netnsAvailable, type Lan } from '../netns/harness.js';
import { startDns, startHttp, startSmtp, startTcp, startUdp } from '../checkers/local-servers.js';
import { CaseSkipped, failingCases, runContract } from './contract.js';
import { BEHAVIOURS, WEIGHTED, proberContract, type Behaviour, type ProberRig } from './prober-contract.js';

/** A spec of `kind` for a target (an endpoint, a program or a file). */
function specOf(kind: ProbeKind, behaviour: Behaviour, timeoutMs: number, where: Endpoint | string): ProbeSpec {
  const target = typeof where === 'string' ? { host: where, port: 0 } : where;
  const path = typeof where === 'string' ? where : '';
  switch (kind) {
    case 'tcp':
      return { kind, target, timeoutMs };
    case 'http':
      return { kind, tls: false, target, timeoutMs, httpProtocol: '1.0', urls: [{ path: '/', statusCodes: [[200, 299]], host: 'contract' }] };
    case 'smtp':
      return { kind, target, timeoutMs, heloName: 'contract.vigil' };
    case 'dns':
      return { kind, target, timeoutMs, name: 'vigil.test', type: 1 };
    case 'udp':
      return { kind, target, timeoutMs, payload: new TextEncoder().encode('vigil'), requireReply: true, minReplyLength: 0, maxReplyLength: 255 };
    case 'ping':
      return { kind, target, timeoutMs };
    case 'misc':
      return { kind, argv: [path], timeoutMs, dynamic: behaviour === 'weighted' };
    case 'file':
      return { kind, path, weight: behaviour === 'weighted' ? 10 : 0, reverse: false };
  }
}

// ---- the real rig ----

/** A TCP port nobody listens on (bound, then closed). */
async function closedTcpPort(): Promise<number> {
  const server = await startTcp();
  await server.stop();
  return server.port;
}

async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * A TCP port whose SYNs go unanswered: a listener that never accepts (its thread waits forever), its accept queue
 * filled, so the kernel drops every new SYN (Linux: the listen queue overflows).
 */
async function unansweredTcpPort(): Promise<{ port: number; close(): Promise<void> }> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
     });`,
    { eval: true },
  );
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  const fillers: Socket[] = [];
  // Connect until a handshake no longer completes: the queue is full.
  for (let i = 0; i < 8; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      setTimeout(() => resolve(false), 300);
    });
    if (!connected) break;
  }
  return {
    port,
    async close() {
      for (const s of fillers) s.destroy();
      await worker.terminate();
    },
  };
}

interface RealRig extends ProberRig {
  close(): Promise<void>;
}

async function realRig(lan: Lan | undefined): Promise<RealRig> {
  const local = (port: number): Endpoint => ({ host: '127.0.0.1', port });
  const tcp = await startTcp();
  const mute = await startTcp(); // accepts, never says a word
  const unanswered = await unansweredTcpPort();
  const web = await startHttp((_q, r) => r.end('ok'));
  const smtp = await startSmtp();
  const dns = await startDns({ rcode: () => 0 });
  const echo = await startUdp((m) => m);
  const deaf = await startUdp(() => undefined);
  const closedTcp = await closedTcpPort();
  const closedUdp = await closedUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-contracts-prober-'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const script = (name: string, body: string): string => {
    const path = file(name, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const where: Record<ProbeKind, Partial<Record<Behaviour, Endpoint | string>>> = {
    tcp: { answers: local(tcp.port), refuses: local(closedTcp), silent: local(unanswered.port) },
    http: { answers: local(web.port), refuses: local(closedTcp), silent: local(mute.port) },
    smtp: { answers: local(smtp.port), refuses: local(closedTcp), silent: local(mute.port) },
    dns: { answers: local(dns.port), refuses: local(closedUdp), silent: local(deaf.port) },
    udp: { answers: local(echo.port), refuses: local(closedUdp), silent: local(deaf.port) },
    // On the namespace's LAN, an address nobody holds: ARP never resolves, no echo reply and no error.
    ping: { answers: '127.0.0.1', silent: '192.168.77.199' },
    misc: { answers: script('answers', 'exit 0'), refuses: script('refuses', 'exit 1'), silent: script('silent', 'exec sleep 30'), weighted: script('weighted', 'exit 7') },
    file: { answers: file('answers.value', '0\n'), refuses: file('refuses.value', '1\n'), weighted: file('weighted.value', '3\n') },
  };
  const prober = new RealProber();
  const cli = fileURLToPath(new URL('./probe-cli.js', import.meta.url));
  const inNamespace = new Set<ProbeSpec>();
  return {
    spec(kind, behaviour, timeoutMs) {
      const w = where[kind][behaviour];
      if (w === undefined) throw new Error(`no real ${kind} target that ${behaviour}`);
      if (kind === 'ping' && process.getuid?.() !== 0) throw new CaseSkipped('ICMP raw sockets need root');
      const spec = specOf(kind, behaviour, timeoutMs, w);
      if (kind === 'ping' && behaviour === 'silent') {
        if (lan === undefined) throw new CaseSkipped('a silent ping target needs a network namespace');
        inNamespace.add(spec);
      }
      return spec;
    },
    async probe(spec) {
      if (inNamespace.has(spec)) {
        const { stdout } = await lan!.exec(lan!.host('prober').ns, [process.execPath, cli, JSON.stringify(spec)]);
        return JSON.parse(stdout) as { result: ProbeResult; tookMs: number };
      }
      const started = performance.now();
      const result = await prober.probe(spec);
      return { result, tookMs: performance.now() - started };
    },
    async close() {
      prober.close();
      for (const s of [tcp, mute, web, smtp]) await s.close();
      for (const s of [dns, echo, deaf]) await s.close();
      await unanswered.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('prober contract: real prober, local servers, programs and files', { timeout: 120_000 }, async (t) => {
  const netns = netnsAvailable();
  const lan = netns.ok ? await createLan({ name: 'ctprb', hosts: ['prober'], v4Prefix: '192.168.77.X', v4Start: 150 }) : undefined;
  if (!netns.ok) t.diagnostic(`silent ping skipped: ${netns.reason}`);
  const rig = await realRig(lan);
  try {
    await runContract(t, proberContract, rig);
  } finally {
    await rig.close();
    await lan?.cleanup();
  }
});

// ---- the simulated rig ----

const SIM_STATES: Record<Behaviour, SimServerState> = {
  answers: { mode: 'up', latencyMs: 3 },
  refuses: { mode: 'refuse', latencyMs: 1 },
  silent: { mode: 'silent' },
  weighted: { mode: 'up', latencyMs: 2 },
};

/** The simulated world's target of a kind and behaviour: 10.0.K.B:80, /sim/K/B (a program or a file). */
function simWhere(kind: ProbeKind, behaviour: Behaviour): Endpoint | string {
  const k = Object.keys(BEHAVIOURS).indexOf(kind) + 1;
  const b = (['answers', 'refuses', 'silent', 'weighted'] as const).indexOf(behaviour) + 1;
  return kind === 'misc' || kind === 'file' ? `/sim/${kind}/${behaviour}` : { host: `10.0.${k}.${b}`, port: kind === 'ping' ? 0 : 80 };
}

function simRig(make: (clock: VirtualClock, states: Record<string, SimServerState>) => CallbackProber = (c, s) => new SimulatedProber(c, s)): ProberRig {
  const clock = new VirtualClock();
  const states: Record<string, SimServerState> = {};
  for (const [kind, behaviours] of Object.entries(BEHAVIOURS) as [ProbeKind, readonly Behaviour[]][]) {
    for (const behaviour of behaviours) {
      const w = simWhere(kind, behaviour);
      const key = typeof w === 'string' ? `${kind}:${w}` : `${w.host}:${w.port}`;
      const weight = WEIGHTED[kind];
      states[key] = behaviour === 'weighted' && weight !== undefined ? { ...SIM_STATES.weighted, weight } : SIM_STATES[behaviour];
    }
  }
  const prober = make(clock, states);
  return {
    spec: (kind, behaviour, timeoutMs) => specOf(kind, behaviour, timeoutMs, simWhere(kind, behaviour)),
    async probe(spec) {
      const started = clock.now();
      let answer: { result: ProbeResult; tookMs: number } | undefined;
      // A prober that keeps no timeout of its own is raced by the checker (actors/checks/checker-runner.ts).
      const keepsTimeout = prober.probeWith(spec, (result) => (answer ??= { result, tookMs: clock.now() - started }));
      const timeoutMs = spec.kind === 'file' ? undefined : spec.timeoutMs;
      const limit = timeoutMs === undefined ? undefined : started + timeoutMs;
      while (answer === undefined) {
        const next = clock.peek();
        if (!keepsTimeout && limit !== undefined && (next === undefined || next > limit)) {
          clock.runUntil(limit);
          answer = { result: { ok: false, detail: 'timeout', latencyMs: timeoutMs! }, tookMs: timeoutMs! };
        } else if (!clock.step()) throw new Error('the prober never answered');
      }
      return answer;
    },
  };
}

test('prober contract: simulated prober', async (t) => {
  await runContract(t, proberContract, simRig());
});

// ---- broken probers ----

/** The simulated prober with one fault. */
function broken(fault: 'impatient' | 'optimist' | 'weightless' | 'thrower') {
  return (clock: VirtualClock, states: Record<string, SimServerState>): CallbackProber => {
    const inner = new SimulatedProber(clock, states);
    const prober: CallbackProber = {
      probeWith(spec, done) {
        if (fault === 'thrower' && spec.kind === 'misc') throw new Error('spawn failed');
        if (fault === 'impatient' && inner.stateOf(spec).mode === 'silent') {
          clock.setTimeout(() => done({ ok: false, detail: 'gave up', latencyMs: 1 }), 1);
          return true;
        }
        return inner.probeWith(spec, (result) => {
          if (fault === 'optimist') done({ ...result, ok: true });
          else if (fault === 'weightless') done({ ok: result.ok, detail: result.detail, latencyMs: result.latencyMs });
          else done(result);
        });
      },
      probe: (spec) => new Promise((resolve) => prober.probeWith(spec, resolve)),
      close() {},
    };
    return prober;
  };
}

test('prober contract: broken probers fail it', async () => {
  const failing = (fault: Parameters<typeof broken>[0]) => failingCases(proberContract, () => simRig(broken(fault)));
  assert.deepEqual(await failing('impatient'), proberContract.filter((c) => c.name.includes('silent target')).map((c) => c.name));
  const optimist = await failing('optimist');
  for (const c of proberContract.filter((c) => c.name.includes('refusing target'))) assert.ok(optimist.includes(c.name), c.name);
  assert.deepEqual(await failing('weightless'), proberContract.filter((c) => c.name.includes('weight comes back')).map((c) => c.name));
  assert.ok((await failing('thrower')).includes('a probe never throws: a program that does not exist is a failure'));
  assert.deepEqual(await failingCases(proberContract, () => simRig()), []);
});
