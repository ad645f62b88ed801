/**
 * Receive path benchmark (issue 13): the CPU a running vigil spends on each bad VRRP packet. A master (VRRPv3,
 * advert_int 1, and a VRRPv2 instance with a password) in a namespace hears nothing for a while (its own
 * advertising: the baseline), then a flood of the four bad kinds of the flood benchmark (TTL 254, an unknown VRID,
 * a bad checksum, a wrong password) at a fixed rate; CPU per bad packet = (CPU during the flood − baseline CPU for
 * as long) / packets read. CPU is the sum of the run time of every thread of the process (/proc/PID/task/*
 * /schedstat, nanoseconds), so the kernel's receive work done in the process's context counts too.
 * First the JS half alone, in this process (bench/tools/receive-path-in-process.ts).
 * VIGIL_BENCH_RX_PPS (default 20000), VIGIL_BENCH_RX_S (default 5; 0: the in-process measure only). VIGIL_BENCH_RX_BASELINE=DIR also runs the
 * vigil of another checkout (its bin/vigil, built) the same way, for a before/after in one run.
 * VIGIL_BENCH_RX_PROFILE=DIR writes a V8 CPU profile of each daemon there (--cpu-prof; it is stopped with SIGTERM).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createLan, netnsAvailable, type Lan } from '../test/netns/harness.js';
import { cleanupDir, eventually, holders, startDaemon, vigilStatus, type Daemon, type VigilStatus } from '../test/daemon/daemons.js';
import { rawSocketDrops, runSender } from './tools/sender-process.js';
import { twoMastersConfig } from './tools/two-masters-config.js';
import { badAdvertDatagrams } from './tools/bad-packets.js';
import { receivePathInProcess } from './tools/receive-path-in-process.js';
import { ROOT } from '../test/daemon/daemons.js';
import type { ReceivedPacket } from '../transport/vrrp-link.js';

const RATE = Number(process.env['VIGIL_BENCH_RX_PPS'] ?? 20_000);
const SECONDS = Number(process.env['VIGIL_BENCH_RX_S'] ?? 5);
const BASELINE = process.env['VIGIL_BENCH_RX_BASELINE'];
const PROFILE = process.env['VIGIL_BENCH_RX_PROFILE'];
const VIP3 = '192.168.77.160';
const VIP2 = '192.168.77.161';

const CONFIG = twoMastersConfig(VIP3, VIP2);

/** The flood benchmark's four kinds of bad packet (priority above the master's, so none may be acted on). */
function badPackets(source: string): string[] {
  return badAdvertDatagrams(source, { v3Vip: VIP3, v2Vip: VIP2, v3IntervalCs: 100 });
}

/** The same four kinds as received packets (IP header stripped), for the in-process measure. */
function badReceived(source: string): ReceivedPacket[] {
  return badPackets(source).map((hex) => {
    const datagram = Buffer.from(hex, 'hex');
    return { bytes: new Uint8Array(datagram.subarray(20)), family: 4, source, destination: '224.0.0.18', ttl: datagram[8]!, interface: 'eth0' };
  });
}

/** Nanoseconds of CPU used by every thread of `pid` so far (schedstat's first field). */
function cpuNs(pid: number): number {
  let sum = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return sum;
}

/** Packets vigil read and counted: accepted, or dropped with a reason (node-wide and per instance). */
function counted(s: VigilStatus): number {
  let n = Object.values(s.drops).reduce((a, b) => a + (b ?? 0), 0);
  for (const i of s.instances) n += i.counters.adverts_received + Object.values(i.counters.drops).reduce((a, b) => a + (b ?? 0), 0);
  return n;
}

interface Figures {
  readonly sent: number;
  readonly read: number;
  readonly kernelDrops: number;
  readonly idleUsPerS: number;
  readonly floodUsPerS: number;
  readonly usPerPacket: number;
}

async function measure(lan: Lan, label: string, checkout: string | undefined): Promise<Figures> {
  const [v, f] = [lan.host('v'), lan.host('f')];
  const bin = checkout === undefined ? undefined : join(resolve(checkout), 'bin/vigil');
  // (--cpu-prof is refused in NODE_OPTIONS: node is run with it.)
  const profile = PROFILE === undefined ? [] : [process.execPath, '--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE)}`, `--cpu-prof-name=${label}.cpuprofile`];
  const d: Daemon = startDaemon(lan, v, 'vigil', CONFIG, {
    wrap: (argv: readonly string[]) => [...profile, bin ?? argv[0]!, ...argv.slice(1)],
  });
  try {
    await eventually(async () => JSON.stringify(await holders(lan, [v], VIP3)) === '["v"]', 30_000, () => d.log());
    await delay(1000);
    const pid = d.vrrpPid()!;
    // Baseline: as long as the flood, with nothing but the daemon's own work.
    const idle0 = cpuNs(pid);
    const i0 = performance.now();
    await delay(SECONDS * 1000);
    const idleUsPerS = (cpuNs(pid) - idle0) / 1000 / ((performance.now() - i0) / 1000);
    const read0 = counted(await vigilStatus(lan, d));
    const raw0 = await rawSocketDrops(lan, v.ns);
    const cpu0 = cpuNs(pid);
    const t0 = performance.now();
    const report = await runSender(lan, f, { interface: 'eth0', destination: '224.0.0.18', rate: RATE, count: Math.round(RATE * SECONDS), packets: badPackets(f.ipv4) });
    // Until the daemon has read what is queued.
    let last = -1;
    await eventually(
      async () => {
        const n = counted(await vigilStatus(lan, d));
        const settled = n === last;
        last = n;
        return settled;
      },
      20_000,
      () => 'vigil kept counting',
      200,
    );
    const cpu1 = cpuNs(pid);
    const seconds = (performance.now() - t0) / 1000;
    const kernelDrops = (await rawSocketDrops(lan, v.ns)) - raw0;
    const read = last - read0;
    const floodUs = (cpu1 - cpu0) / 1000;
    return {
      sent: report.sent,
      read,
      kernelDrops,
      idleUsPerS,
      floodUsPerS: floodUs / seconds,
      usPerPacket: (floodUs - idleUsPerS * seconds) / Math.max(1, read),
    };
  } finally {
    d.kill(PROFILE !== undefined ? 'SIGTERM' : 'SIGKILL');
    await d.exited(15_000).catch(() => d.kill('SIGKILL'));
    cleanupDir(d);
  }
}

export async function run(): Promise<void> {
  // The JS half alone, in this process: decoding, routing, the receive checks, counting, the bus and the log.
  const ROUNDS = 50_000;
  const packets = badReceived('192.168.77.156');
  process.stdout.write(`in-process (no sockets), ${ROUNDS * packets.length} bad packets into a VrrpNode's channel:\n`);
  for (const [label, root] of [...(BASELINE !== undefined ? [[`baseline ${BASELINE}`, resolve(BASELINE)]] : []), ['this checkout', ROOT]] as [string, string][]) {
    const r = await receivePathInProcess(root, CONFIG, packets, ROUNDS);
    process.stdout.write(`  ${label}: ${r.usPerPacket.toFixed(2)} µs of CPU and ${r.bytesPerPacket.toFixed(0)} bytes of heap per bad packet (node drops counted ${r.drops})\n`);
  }
  if (SECONDS <= 0) return;
  const avail = netnsAvailable();
  if (!avail.ok) {
    process.stdout.write(`skipped: ${avail.reason}\n`);
    return;
  }
  process.stdout.write(`${RATE} bad packets/s for ${SECONDS} s at a master (VIGIL_BENCH_RX_PPS, VIGIL_BENCH_RX_S); CPU per packet read, idle CPU subtracted\n`);
  const runs: [string, string | undefined][] = [['this checkout', undefined]];
  if (BASELINE !== undefined) runs.unshift([`baseline ${BASELINE}`, BASELINE]);
  for (const [label, checkout] of runs) {
    const lan = await createLan({ name: 'rxp', hosts: ['v', 'f'], v4Prefix: '192.168.77.X', v4Start: 155, v4PrefixLength: 26 });
    try {
      const r = await measure(lan, label === 'this checkout' ? 'after' : 'before', checkout);
      process.stdout.write(
        `  ${label}: sent ${r.sent}, read and counted ${r.read}, dropped at the full socket ${r.kernelDrops}; CPU idle ${(r.idleUsPerS / 1e4).toFixed(1)}% of a core, ` +
          `flooded ${(r.floodUsPerS / 1e4).toFixed(1)}%: ${r.usPerPacket.toFixed(2)} µs per bad packet\n`,
      );
    } finally {
      await lan.cleanup();
    }
  }
}
