/**
 * How long the VRRP thread's event loop is held (issue 13, "Liveness") while the daemon does what can take long:
 * reading a large configuration on reload (on the VRRP thread, as before, and on the config worker, as now) and
 * writing the SIGUSR1 / SIGUSR2 dumps of a large status, and building the checker side of 2,000 checkers (at start and
 * on a reload that changed it: at once, as before, and a slice per turn, as now; and a whole reload of the checker
 * side, the running one stopped and the new one built). Prints the longest turn of the loop (the thread's CPU time
 * between two turns, and the wall time, which on a loaded machine also counts waiting for a CPU) and the whole
 * operation's time. An advert interval is 1 s by default and can be 10 ms (VRRPv3): a turn must stay well below it.
 * (Page rendering has its own benchmark: bench/page-render.ts.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRunnable } from '../actors/runnable-config.js';
import { workerConfigLoader } from '../actors/daemon/config-loader.js';
import { DumpWriter } from '../actors/daemon/dumps.js';
import type { DaemonStatus, InstanceStatus, VirtualServerStatus } from '../actors/status.js';
import { generateConfig } from './config-generate.js';
import { instanceStatus, masterCounters } from '../test/status-fixtures.js';
import { HealthChecks, type BuildSlice } from '../actors/lvs/health-checks.js';
import { eachVirtualServer } from '../actors/checks/resolve-checkers.js';
import { WorkerCheckerHost } from '../actors/daemon/worker-checker-host.js';
import { CHECKER_BUILD_SLICE } from '../actors/daemon/daemon-checks.js';
import { RealClock } from '../transport/real/real-clock.js';
import { SimulatedBackend } from '../sim/simulated-backend.js';
import { NftablesBackend } from '../transport/real/lb/nftables-backend.js';

interface Stall {
  /** The longest gap between two turns of the event loop, ms of wall time. */
  readonly stallMs: number;
  /** The most CPU time this thread used between two turns, ms (undefined without /proc schedstat). */
  readonly cpuMs: number | undefined;
  /** In the longest gap, how long this thread was runnable but waiting for a CPU, ms (the rest it was blocked). */
  readonly waitMs: number | undefined;
  /** The whole operation, ms. */
  readonly totalMs: number;
}

/** This thread's time on a CPU in ns (/proc/thread-self/schedstat), undefined where the kernel does not say. */
function threadCpuNs(): number | undefined {
  return threadSchedstat()?.[0];
}

/** This thread's time on a CPU and time runnable but waiting for one, ns (/proc/thread-self/schedstat). */
function threadSchedstat(): [number, number] | undefined {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return [Number(cpu), Number(wait)];
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` while a 1 ms timer chain measures the gaps between turns of this thread's event loop (a timer, not a
 * setImmediate spin: a spinning thread would take the CPU the config worker needs and slow what it measures).
 * On a loaded machine the wall time of a gap also counts the time the thread waited for a CPU; its CPU time is
 * the work that one turn held the loop for.
 */
async function longestStall(work: () => unknown): Promise<Stall> {
  let last = performance.now();
  let lastCpu = threadCpuNs();
  let worst = 0;
  let worstCpu = lastCpu === undefined ? undefined : 0;
  let lastWait = threadSchedstat()?.[1];
  let worstWait: number | undefined;
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    const cpu = threadCpuNs();
    const wait = threadSchedstat()?.[1];
    if (now - last > worst && wait !== undefined && lastWait !== undefined) worstWait = (wait - lastWait) / 1e6;
    lastWait = wait;
    worst = Math.max(worst, now - last);
    if (worstCpu !== undefined && cpu !== undefined && lastCpu !== undefined) worstCpu = Math.max(worstCpu, (cpu - lastCpu) / 1e6);
    last = now;
    lastCpu = cpu;
    if (running) timer = setTimeout(tick, 1);
  };
  let timer = setTimeout(tick, 1);
  const started = performance.now();
  last = started;
  lastCpu = threadCpuNs();
  await work();
  const totalMs = performance.now() - started;
  // The last turn counts too; then no timer is left behind (the process must be able to exit).
  running = false;
  clearTimeout(timer);
  tick();
  return { stallMs: worst, cpuMs: worstCpu, waitMs: worstWait, totalMs };
}

const figures = (s: Stall): string =>
  `longest turn ${s.cpuMs === undefined ? '' : `${s.cpuMs.toFixed(1)} ms of CPU, `}${s.stallMs.toFixed(1)} ms wall${s.waitMs === undefined ? '' : ` (${s.waitMs.toFixed(1)} of it waiting for a CPU)`}; whole ${s.totalMs.toFixed(0)} ms`;

function largeStatus(instances: number, virtualServers: number, realServers: number): DaemonStatus {
  const vrrp: InstanceStatus[] = [];
  for (let i = 0; i < instances; i++) {
    vrrp.push(
      instanceStatus({
        name: `VI_${i}`,
        state: i % 2 === 0 ? 'MASTER' : 'BACKUP',
        vrid: (i % 255) + 1,
        master_address: i % 2 === 0 ? null : '192.168.0.2',
        vips: [`10.100.${Math.floor(i / 256) % 256}.${i % 256}`],
        counters: masterCounters({ adverts_sent: i * 7, adverts_received: i * 3 }),
      }),
    );
  }
  const vs: VirtualServerStatus[] = [];
  for (let v = 0; v < virtualServers; v++) {
    const real = Array.from({ length: realServers }, (_, r) => ({ key: `172.16.${r % 256}.${(v % 250) + 1}:8080`, alive: r !== 0, weight: 1 }));
    vs.push({
      key: `10.${Math.floor(v / 65536)}.${Math.floor(v / 256) % 256}.${v % 256}:80/TCP`,
      quorum_up: true,
      real_servers: real,
      pool: real.filter((r) => r.alive).map((r) => ({ destination: r.key, weight: r.weight })),
    });
  }
  return { pid: 1, config_file: '/etc/keepalived/keepalived.conf', reloads: 3, instances: vrrp, scripts: [], virtual_servers: vs, drops: {} };
}

/**
 * Builds the checker side of `file` (a slice per turn), then measures the turns while the first reports of its
 * 2,000 checkers (all failed, in one message from a stand-in worker: tools/batch-report-worker.ts) reach the virtual
 * servers and the load balancer (nftables rendered, `nft` itself a 20 ms stand-in). `reportSlice` undefined: the
 * whole batch in one turn, as before.
 */
export async function reportBurst(file: string, reportSlice: { reports: number; ms: number } | undefined): Promise<Stall> {
  const config = loadRunnable(file, {}, undefined).config;
  const clock = new RealClock();
  const entry = new URL('./tools/batch-report-worker.js', import.meta.url);
  const host = new WorkerCheckerHost({ clock, entry, reportSlice: reportSlice ?? { reports: Number.MAX_SAFE_INTEGER, ms: Number.MAX_SAFE_INTEGER } });
  const backend = new NftablesBackend({ runner: { run: () => new Promise((r) => setTimeout(() => r({ stdout: '', stderr: '' }), 20)) } });
  const health = new HealthChecks({ clock, host, backend, buildSlice: CHECKER_BUILD_SLICE });
  let reports = 0;
  let all: () => void = () => {};
  const arrived = new Promise<void>((resolve) => (all = resolve));
  health.events$.subscribe((e) => {
    if (e.kind === 'report' && ++reports === 2000) all();
  });
  await health.start(eachVirtualServer(config));
  const stall = await longestStall(async () => {
    await arrived;
    await health.lb.flush();
  });
  await health.stop();
  return stall;
}

/** Builds the checker side of `file` on this thread (checkers in a worker, as the daemon has them) and stops it. */
async function buildCheckerSide(file: string, slice: BuildSlice | undefined): Promise<Stall> {
  const config = loadRunnable(file, {}, undefined).config;
  const clock = new RealClock();
  const host = new WorkerCheckerHost({ clock });
  const health = new HealthChecks({ clock, host, backend: new SimulatedBackend(clock), buildSlice: slice });
  const stall = await longestStall(() => health.start(eachVirtualServer(config)));
  await health.stop();
  return stall;
}

/**
 * A reload that changed the checker part, as the daemon runs it: the running side (built, its checkers reporting)
 * stops keeping its rules and its worker, then the new side is built a slice per turn on a new worker. Measured from
 * the stop to the new side whole, with the garbage of the old side collected meanwhile.
 */
export async function reloadCheckerSide(file: string, nextFile: string, slice: BuildSlice | undefined = CHECKER_BUILD_SLICE): Promise<Stall> {
  const clock = new RealClock();
  const side = (f: string): HealthChecks =>
    new HealthChecks({ clock, host: new WorkerCheckerHost({ clock }), backend: new SimulatedBackend(clock), buildSlice: slice });
  const running = side(file);
  await running.start(eachVirtualServer(loadRunnable(file, {}, undefined).config));
  // Let the first reports arrive (every probe of an unreachable server fails at once).
  await new Promise((r) => setTimeout(r, 1500));
  const nextConfig = loadRunnable(nextFile, {}, undefined).config;
  const next = side(nextFile);
  const stall = await longestStall(async () => {
    await running.stopKeepingRules();
    await next.start(eachVirtualServer(nextConfig));
  });
  await next.stop();
  return stall;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-liveness-bench-'));
  try {
    const options = { virtualServers: 10_000, realServers: 4, vrrpInstances: 100, interface: 'lo' };
    const file = join(dir, 'keepalived.conf');
    const text = generateConfig(options);
    writeFileSync(file, text);
    const lines = text.split('\n').length - 1;
    process.stdout.write(`reload of ${lines.toLocaleString('en-US')} lines (${options.virtualServers} virtual servers × ${options.realServers} real servers, ${options.vrrpInstances} vrrp_instances):\n`);
    // Warm both paths once (module loading, JIT).
    loadRunnable(file, {}, undefined);
    const load = workerConfigLoader();
    const running = await load(file, {}, undefined);
    const here = await longestStall(() => loadRunnable(file, {}, undefined));
    process.stdout.write(`  on the VRRP thread (before):                  ${figures(here)}\n`);
    // A changed checker part crosses whole; an unchanged one is reused from the running configuration.
    writeFileSync(file, generateConfig({ ...options, virtualServers: options.virtualServers - 1 }));
    const changed = await longestStall(() => load(file, {}, running));
    process.stdout.write(`  on the config worker, checker part changed:   ${figures(changed)}\n`);
    const unchanged = await longestStall(() => load(file, {}, running).then((l) => load(file, {}, l)));
    process.stdout.write(`  on the config worker, two loads, 2nd reusing: ${figures(unchanged)}\n`);

    const checkerFile = join(dir, 'checkers.conf');
    // Real servers on loopback addresses (refused at once): the probes that start meanwhile stay on this host.
    writeFileSync(checkerFile, generateConfig({ virtualServers: 500, realServers: 4 }).replaceAll('real_server 172.16.', 'real_server 127.16.'));
    process.stdout.write('the checker side of 500 virtual servers × 4 real servers (2,000 TCP_CHECKs) built on the VRRP thread:\n');
    await buildCheckerSide(checkerFile, undefined);
    process.stdout.write(`  at once (before):     ${figures(await buildCheckerSide(checkerFile, undefined))}\n`);
    process.stdout.write(`  a slice per turn:     ${figures(await buildCheckerSide(checkerFile, CHECKER_BUILD_SLICE))}\n`);
    const nextCheckerFile = join(dir, 'checkers-next.conf');
    writeFileSync(nextCheckerFile, generateConfig({ virtualServers: 499, realServers: 4 }).replaceAll('real_server 172.16.', 'real_server 127.16.'));
    process.stdout.write(`a reload that changed it (the running side stopped, 499 virtual servers built): ${figures(await reloadCheckerSide(checkerFile, nextCheckerFile))}\n`);
    process.stdout.write('the same built a slice per turn, then 2,000 failures in one batch from the worker reaching the virtual servers and the load balancer:\n');
    process.stdout.write(`  at once (before):     ${figures(await reportBurst(checkerFile, undefined))}\n`);
    process.stdout.write(`  a slice per turn:     ${figures(await reportBurst(checkerFile, {reports: 64, ms: 4}))}\n`);

    const status = largeStatus(1000, options.virtualServers, options.realServers);
    const quiet = { info: () => {}, warn: (m: string) => process.stdout.write(`  (${m})\n`) };
    const dumps = new DumpWriter(join(dir, 'run'), quiet);
    dumps.prepare();
    await dumps.dataDump(status);
    process.stdout.write(`dumps of 1000 instances and ${options.virtualServers} virtual servers × ${options.realServers} real servers:\n`);
    process.stdout.write(`  SIGUSR1 (data):        ${figures(await longestStall(() => dumps.dataDump(status)))}\n`);
    process.stdout.write(`  JSON (SIGRTMIN+2):     ${figures(await longestStall(() => dumps.jsonDump(status)))}\n`);
    process.stdout.write(`  SIGUSR2 (stats):       ${figures(await longestStall(() => dumps.statsDump(status)))}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


if (import.meta.url === `file://${process.argv[1]}`) await run();
