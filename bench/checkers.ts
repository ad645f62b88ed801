/**
 * Health checkers (issue 5): probes per second for TCP_CHECK and HTTP_GET against local servers (the probers
 * alone, then whole checkers — machine, runner, worker — on one core), main-thread event-loop lag under a check
 * flood with the checkers in-process and in the worker, and memory per real server.
 *
 * The servers run in a child process (the other core), so the figures are the checker side's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { probeTcp } from '../transport/real/probers/tcp-prober.js';
import { probeTcpSocket } from '../transport/real/probers/socket-tcp-prober.js';
import { nativeTcpEngine } from '../transport/real/probers/native-tcp-prober.js';
import { applyThreadScheduling } from '../transport/real/thread-scheduling.js';
import { setRealtimePriority } from '../native/index.js';
import { probeHttp } from '../transport/real/probers/http-prober.js';
import type { ProbeResult, ProbeSpec } from '../transport/prober.js';
import { RealProber } from '../transport/real/probers/real-prober.js';
import { RealClock } from '../transport/real/real-clock.js';
import { RealRandom } from '../transport/real/real-random.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { SeededRandom } from '../sim/seeded-random.js';
import { SimulatedProber } from '../sim/simulated-prober.js';
import { SimulatedBackend } from '../sim/simulated-backend.js';
import { InProcessCheckerHost, type CheckerHost } from '../actors/checks/checker-host.js';
import { WorkerCheckerHost } from '../actors/daemon/worker-checker-host.js';
import { HealthChecks } from '../actors/lvs/health-checks.js';
import type { ResolvedChecker } from '../actors/checks/resolve-checkers.js';
import { resolveVirtualServers } from '../actors/checks/resolve-checkers.js';
import { loadConfigText } from '../config/load.js';
import { LanSegment } from '../sim/lan-segment.js';
import { SimHost } from '../sim/sim-host.js';
import { loadVrrpConfig } from '../sim/node-config-reader.js';
import { Bus } from '../actors/bus.js';
import { VrrpNode } from '../actors/vrrp/vrrp-node.js';
import { VRRP_SLICE_US } from '../actors/daemon/daemon.js';

const SERVER = `
const net = require('net'), http = require('http');
// A deep accept queue: a prober faster than this one process accepts must not see SYNs dropped (1 s retransmits).
const tcp = net.createServer((c) => { c.on('error', () => {}); c.end(); }).listen({ port: 0, host: '0.0.0.0', backlog: 4096 }, ready);
const web = http.createServer((q, r) => { r.writeHead(200, { 'content-length': 2 }); r.end('ok'); }).listen({ port: 0, host: '0.0.0.0', backlog: 4096 }, ready);
web.keepAliveTimeout = 0;
let n = 0;
function ready() { if (++n === 2) console.log(tcp.address().port + ' ' + web.address().port); }
`;

async function startServers(): Promise<{ tcpPort: number; httpPort: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  // The servers stand in for remote machines: they must not take the CPU from the VRRP thread under test.
  setPriority(child.pid!, 19);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const [tcpPort, httpPort] = line.toString().trim().split(' ').map(Number);
  return { tcpPort: tcpPort!, httpPort: httpPort!, child };
}

/** Probes per second with `concurrency` probes in flight for `ms`; destinations spread over 127.0.0.1-50. */
async function rate(make: (i: number) => ProbeSpec, probe: (spec: ProbeSpec) => Promise<ProbeResult>, concurrency: number, ms: number) {
  let done = 0;
  let failed = 0;
  let i = 0;
  const end = performance.now() + ms;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const lane = async (): Promise<void> => {
    while (performance.now() < end) {
      const r = await probe(make(i++));
      done++;
      if (!r.ok) failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { perSecond: Math.round(done / seconds), failed, perCpuSecond: Math.round(done / cpuSeconds), cpu: round(cpuSeconds / seconds) };
}

function addr(i: number): string {
  return `127.0.0.${1 + (i % 50)}`;
}

function checkers(n: number, delayLoopMs: number, probe: (i: number) => ProbeSpec): ResolvedChecker[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    kind: probe(i).kind === 'http' ? 'HTTP_GET' : 'TCP_CHECK',
    warmupMs: delayLoopMs,
    params: { delayLoopMs, timeoutMs: 2000, retry: 1, delayBeforeRetryMs: 100, delayWhileDownMs: delayLoopMs, alpha: false, fromStart: false },
    probe: probe(i),
  }));
}

/** Whole checkers in the worker: probes completed per second once running. */
async function checkerRate(n: number, delayLoopMs: number, probe: (i: number) => ProbeSpec, ms: number) {
  const host = new WorkerCheckerHost({ clock: new RealClock() });
  host.add(checkers(n, delayLoopMs, probe));
  await new Promise((r) => setTimeout(r, 1000 + delayLoopMs + 200));
  const a = await host.counters();
  const elu0 = host.eventLoopUtilization()!;
  const cpu0 = otherThreadsCpuMs();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = await host.counters();
  const elu1 = host.eventLoopUtilization()!;
  const cpu1 = otherThreadsCpuMs();
  const seconds = (performance.now() - t0) / 1000;
  await host.stop();
  const busy = (elu1.active - elu0.active) / (elu1.active + elu1.idle - elu0.active - elu0.idle);
  const perSecond = Math.round((b.probes - a.probes) / seconds);
  const cpuSeconds = (cpu1 - cpu0) / 1000;
  return {
    perSecond,
    failures: b.failures - a.failures,
    target: Math.round((n * 1000) / delayLoopMs),
    busy: round(busy),
    perBusySecond: Math.round(perSecond / busy),
    perCpuSecond: Math.round((b.probes - a.probes) / cpuSeconds),
  };
}

/** The whole-checker rate lines: TCP_CHECK and HTTP_GET checkers in the worker. */
async function checkerRates(tcp: (i: number) => ProbeSpec, http: (i: number) => ProbeSpec): Promise<void> {
  const tcpCheckers = await checkerRate(1000, 250, tcp, 3000);
  console.log(
    `TCP_CHECK checkers in the worker:     ${tcpCheckers.perSecond} checks/s of ${tcpCheckers.target} scheduled (1,000 × delay_loop 0.25 s; ${tcpCheckers.failures} failed); worker busy ${tcpCheckers.busy} → ${tcpCheckers.perBusySecond} checks per busy second, ${tcpCheckers.perCpuSecond} per CPU-second of the worker's threads`,
  );
  // Saturated: more checks scheduled than the goal (25,000/s), so the figure is what one worker really completes.
  const tcpSaturated = await checkerRate(5000, 200, tcp, 3000);
  console.log(
    `TCP_CHECK checkers in the worker, saturated: ${tcpSaturated.perSecond} checks/s of ${tcpSaturated.target} scheduled (5,000 × delay_loop 0.2 s; ${tcpSaturated.failures} failed); worker busy ${tcpSaturated.busy}, ${tcpSaturated.perCpuSecond} per CPU-second of the worker's threads`,
  );
  const httpCheckers = await checkerRate(500, 250, http, 3000);
  console.log(
    `HTTP_GET checkers in the worker:      ${httpCheckers.perSecond} checks/s of ${httpCheckers.target} scheduled (500 × delay_loop 0.25 s; ${httpCheckers.failures} failed); worker busy ${httpCheckers.busy} → ${httpCheckers.perBusySecond} checks per busy second, ${httpCheckers.perCpuSecond} per CPU-second of the worker's threads`,
  );
  // Saturated too: twice the goal (10,000/s) scheduled; the one server process on the other core answers what it can.
  const httpSaturated = await checkerRate(2000, 200, http, 3000);
  console.log(
    `HTTP_GET checkers in the worker, saturated: ${httpSaturated.perSecond} checks/s of ${httpSaturated.target} scheduled (2,000 × delay_loop 0.2 s; ${httpSaturated.failures} failed); worker busy ${httpSaturated.busy}, ${httpSaturated.perCpuSecond} per CPU-second of the worker's threads`,
  );
}

/** Lateness of a 10 ms timer chain on the main thread (what an advertisement timer sees): p50/p99/max. */
async function timerLateness(ms: number): Promise<{ p50: number; p99: number; max: number }> {
  const late: number[] = [];
  const end = performance.now() + ms;
  await new Promise<void>((resolve) => {
    let due = performance.now() + 10;
    const step = (): void => {
      const now = performance.now();
      late.push(now - due);
      if (now >= end) return resolve();
      due += 10;
      setTimeout(step, Math.max(0, due - performance.now()));
    };
    setTimeout(step, 10);
  });
  late.sort((a, b) => a - b);
  const q = (p: number) => late[Math.min(late.length - 1, Math.floor(p * late.length))]!;
  return { p50: round(q(0.5)), p99: round(q(0.99)), max: round(late[late.length - 1]!) };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function lagUnderFlood(host: CheckerHost, n: number, delayLoopMs: number, probe: (i: number) => ProbeSpec, ms: number) {
  host.add(checkers(n, delayLoopMs, probe));
  await new Promise((r) => setTimeout(r, 1000 + delayLoopMs));
  const before = await host.counters();
  const lateness = await timerLateness(ms);
  const after = await host.counters();
  await host.stop();
  return { ...lateness, probesPerSecond: Math.round(((after.probes - before.probes) * 1000) / ms) };
}

/**
 * A full garbage collection, so that heap figures count live objects only: V8's gc() is exposed on demand (the
 * --expose-gc flag set at run time, the function taken from a fresh context).
 */
function collectGarbage(): void {
  if (globalThis.gc === undefined) {
    setFlagsFromString('--expose-gc');
    globalThis.gc = runInNewContext('gc') as NonNullable<typeof globalThis.gc>;
  }
  globalThis.gc();
}

function memoryPerRealServer(n: number): number {
  const clock = new VirtualClock();
  const random = new SeededRandom(1);
  const prober = new SimulatedProber(clock);
  const host = new InProcessCheckerHost({ clock, random, prober });
  const health = new HealthChecks({ clock, host, backend: new SimulatedBackend(clock), immediateApply: true });
  const realServers = Array.from({ length: n }, (_, i) => `real_server 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} 80 {\nTCP_CHECK {\n}\n}\n`);
  const config = loadConfigText(`virtual_server 192.168.77.100 80 {\nprotocol TCP\nlb_algo wlc\nlb_kind NAT\n${realServers.join('')}}\n`, 'bench.conf').config;
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  // Measured: the resolved form and what runs it (the configuration was read before, and is not counted).
  health.start(resolveVirtualServers(config));
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  void health;
  return Math.round((after - before) / n);
}

const VRRP_CONF = (priority: number) => `
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version 3
    priority ${priority}
    advert_int 0.05
    virtual_ipaddress {
        192.168.77.100/24
    }
}
`;

/**
 * A VRRP master (and a backup ready to take over) on the main thread's real clock, over an in-memory LAN,
 * advertising every 50 ms while `load` runs: the error of each advertisement period, and elections the load
 * caused (the backup becoming MASTER).
 */
async function advertisementError(ms: number, load: () => Promise<() => Promise<{ probes: number }>>) {
  const clock = new RealClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 0, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const bus = new Bus();
  const nodes = [255, 100].map((priority, i) => {
    const host = new SimHost(`lb${i + 1}`, i);
    host.addInterface('eth0', segment, [{ address: `192.168.77.${11 + i}`, prefix: 24, family: 4 }]);
    return new VrrpNode(`lb${i + 1}`, loadVrrpConfig(VRRP_CONF(priority), 'bench.conf', `lb${i + 1}`), { clock, link: host, addresses: host, announcer: host }, bus);
  });
  const sent: number[] = [];
  let spurious = 0;
  // Elections while the load was being set up (5,000 checkers created on the VRRP thread, in-process).
  let spuriousSetup = 0;
  let measuring = false;
  let settingUp = false;
  bus.messages$.subscribe((m) => {
    if (m.kind === 'advert_sent' && m.node === 'lb1' && measuring) sent.push(m.at);
    if (m.kind === 'transition' && m.node === 'lb2' && m.to === 'MASTER') {
      if (settingUp) spuriousSetup++;
      else spurious++;
    }
  });
  for (const n of nodes) n.start();
  await new Promise((r) => setTimeout(r, 500));
  settingUp = true;
  const stopLoad = await load();
  // A backup that took over during the set-up hands back within a master-down interval (preempt).
  await new Promise((r) => setTimeout(r, 500));
  settingUp = false;
  measuring = true;
  const sched0 = schedstat();
  await new Promise((r) => setTimeout(r, ms));
  const sched1 = schedstat();
  measuring = false;
  const { probes } = await stopLoad();
  for (const n of nodes) n.halt();
  const errors = sent.slice(1).map((t, i) => Math.abs(t - sent[i]! - 50)).sort((a, b) => a - b);
  const q = (p: number) => round(errors[Math.min(errors.length - 1, Math.floor(p * errors.length))] ?? NaN);
  return {
    p50: q(0.5),
    p99: q(0.99),
    max: round(errors[errors.length - 1] ?? NaN),
    adverts: sent.length,
    spurious,
    spuriousSetup,
    probesPerSecond: Math.round((probes * 1000) / ms),
    ranMs: Math.round(sched1.runMs - sched0.runMs),
    waitedMs: Math.round(sched1.waitMs - sched0.waitMs),
  };
}

/**
 * CPU time of every thread of this process but the calling one (Linux /proc/self/task/N/schedstat): with the main
 * thread idle, that is the checker worker's JS thread with its GC and libuv helpers. Wall-clock "busy" time
 * (event-loop utilisation) also counts the time the worker waited for a CPU on a loaded machine; this does not.
 */
function otherThreadsCpuMs(): number {
  try {
    const self = readlinkSync('/proc/thread-self').split('/').pop();
    let ns = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      if (tid === self) continue;
      try {
        ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended meanwhile.
      }
    }
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

/** The main thread's CPU time and run-queue wait so far (Linux /proc/thread-self/schedstat). */
function schedstat(): { runMs: number; waitMs: number } {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { runMs: run! / 1e6, waitMs: wait! / 1e6 };
  } catch {
    return { runMs: NaN, waitMs: NaN };
  }
}

/** Starts n checkers (delay_loop 1 s) on a host; returns a function that stops them and gives the probes done. */
function checkLoad(makeHost: () => CheckerHost, n: number, probe: (i: number) => ProbeSpec) {
  return async () => {
    const host = makeHost();
    host.add(checkers(n, 1000, probe));
    await new Promise((r) => setTimeout(r, 2100)); // bootstrap + warmup
    const before = await host.counters();
    return async () => {
      const after = await host.counters();
      await host.stop();
      return { probes: after.probes - before.probes };
    };
  };
}

export async function run(): Promise<void> {
  const { tcpPort, httpPort, child } = await startServers();
  const only = process.env['VIGIL_BENCH_ONLY'];
  try {
    const tcp = (i: number): ProbeSpec => ({ kind: 'tcp', target: { host: addr(i), port: tcpPort }, timeoutMs: 2000 });
    const http = (i: number): ProbeSpec => ({
      kind: 'http',
      tls: false,
      target: { host: addr(i), port: httpPort },
      timeoutMs: 2000,
      httpProtocol: '1.0',
      urls: [{ path: '/health', statusCodes: [[200, 299]], host: 'bench' }],
    });
    const prober = new RealProber();
    if (only === 'rate') {
      // VIGIL_BENCH_ONLY=rate: the whole-checker rates alone (issue 5's goal lines).
      await checkerRates(tcp, http);
      return;
    }
    if (only !== 'vrrp') {
    const tcpSocket = await rate(tcp, (s) => (s.kind === 'tcp' ? probeTcpSocket(s) : prober.probe(s)), 64, 2000);
    console.log(`TCP_CHECK prober (net.Socket), 64 in flight: ${tcpSocket.perSecond} probes/s (${tcpSocket.failed} failed) at ${tcpSocket.cpu} core → ${tcpSocket.perCpuSecond} per CPU-second`);
    if (nativeTcpEngine() !== undefined) {
      for (const inFlight of [64, 256]) {
        const tcpNative = await rate(tcp, (s) => (s.kind === 'tcp' ? probeTcp(s) : prober.probe(s)), inFlight, 2000);
        console.log(`TCP_CHECK prober (native), ${inFlight} in flight: ${tcpNative.perSecond} probes/s (${tcpNative.failed} failed) at ${tcpNative.cpu} core → ${tcpNative.perCpuSecond} per CPU-second`);
      }
    } else {
      console.log('TCP_CHECK prober (native): addon not built');
    }
    const httpRaw = await rate(http, (s) => (s.kind === 'http' ? probeHttp(s) : prober.probe(s)), 64, 2000);
    console.log(`HTTP_GET prober, 64 in flight:        ${httpRaw.perSecond} probes/s (${httpRaw.failed} failed) at ${httpRaw.cpu} core → ${httpRaw.perCpuSecond} per CPU-second`);

    await checkerRates(tcp, http);

    const idle = await timerLateness(3000);
    console.log(`main-thread 10 ms timer lateness, idle:             p50 ${idle.p50} ms, p99 ${idle.p99} ms, max ${idle.max} ms`);
    const inProcess = await lagUnderFlood(new InProcessCheckerHost({ clock: new RealClock(), random: new RealRandom(), prober: new RealProber(), publishProbes: false }), 2000, 1000, tcp, 3000);
    console.log(
      `  2,000 TCP checks/s in-process:                    p50 ${inProcess.p50} ms, p99 ${inProcess.p99} ms, max ${inProcess.max} ms (${inProcess.probesPerSecond} probes/s)`,
    );
    const inWorker = await lagUnderFlood(new WorkerCheckerHost({ clock: new RealClock() }), 2000, 1000, tcp, 3000);
    console.log(
      `  2,000 TCP checks/s in the worker:                 p50 ${inWorker.p50} ms, p99 ${inWorker.p99} ms, max ${inWorker.max} ms (${inWorker.probesPerSecond} probes/s)`,
    );
    }
    const clock = new RealClock();
    // The VRRP thread's scheduling as the daemon sets it without vrrp_rt_priority (actors/daemon/daemon.ts).
    const sliced = applyThreadScheduling({ sliceUs: VRRP_SLICE_US });
    if (sliced.length > 0) console.log(`  (VRRP thread slice not applied: ${sliced.join('; ')})`);
    const none = await advertisementError(5000, async () => async () => ({ probes: 0 }));
    console.log(
      `VRRP advert_int 50 ms period error, no checks:                    p50 ${none.p50} ms, p99 ${none.p99} ms, max ${none.max} ms, ${none.spurious} spurious elections; main thread ran ${none.ranMs} ms, waited ${none.waitedMs} ms for a CPU`,
    );
    const worker = () => new WorkerCheckerHost({ clock });
    // In-process last: its 5,000 checkers leave garbage on the VRRP thread's heap whose collection would land in
    // the lines measured after it.
    for (const [label, make, realtime] of [
      ['in the worker', worker, false],
      // As the daemon does with global_defs vrrp_rt_priority 10: the VRRP thread alone is SCHED_RR.
      ['in the worker, vrrp_rt_priority 10', worker, true],
      ['in-process', () => new InProcessCheckerHost({ clock, random: new RealRandom(), prober: new RealProber(), publishProbes: false }), false],
    ] as const) {
      if (realtime) {
        const failed = applyThreadScheduling({ realtimePriority: 10 });
        if (failed.length > 0) {
          console.log(`  (vrrp_rt_priority not applied: ${failed.join('; ')})`);
          continue;
        }
      }
      const r = await advertisementError(10_000, checkLoad(make, 5000, tcp));
      if (realtime) setRealtimePriority(0);
      console.log(
        `  5,000 real servers checked every second ${label.padEnd(13)}: p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, ${r.spurious} spurious elections (${r.adverts} adverts, ${r.probesPerSecond} probes/s); main thread ran ${r.ranMs} ms, waited ${r.waitedMs} ms for a CPU${r.spuriousSetup > 0 ? `; ${r.spuriousSetup} election(s) while the checkers were being created` : ''}`,
      );
    }
    applyThreadScheduling({ sliceUs: 0 });
    const memory = memoryPerRealServer(5000);
    console.log(`memory per real server (1 TCP_CHECK, machines + runner): ${memory} bytes (heap after a full collection, 5,000 servers)`);
  } finally {
    child.kill();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
