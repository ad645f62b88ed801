/**
 * Daemon benchmark (issue 4), vigil and Debian's keepalived side by side on the same LANs of namespaces:
 * failover time after SIGKILL of the master (advert_int 1 s, and VRRPv3 advert_int 0.05 s), graceful handover
 * after SIGTERM, time from start to the first advertisement of an address owner, and RSS. Needs root and
 * namespaces. Each figure is printed for both daemons with a verdict (bench/compare.ts).
 *
 * Two clocks of one failover: "signal→VIP" runs from the signal to the VIP appearing on the backup (seen by
 * `ip -ts monitor` in its namespace); after a SIGKILL it carries the random phase of the kill within the
 * advertisement interval. "last advert→VIP" runs from the dead master's last advertisement as captured on the
 * backup's wire (tcpdump -tt) to the VIP: phase-free, and the figure to hold against the protocol bound
 * (3 × advert + skew after a crash; skew after a priority-0 advertisement, whose own time is the start there).
 * tcpdump and `ip -ts` both stamp with the system clock, so the two ends are on one clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { createLan, netnsAvailable, type Lan, type LanHost } from '../test/netns/harness.js';
import { cleanupDir, eventually, holders, startDaemon, vrrpConfig, type Daemon } from '../test/daemon/daemons.js';
import { masterDownMicros, skewMicros, microsToMs } from '../machines/vrrp-timing.js';
import { captureAdverts } from './tools/advert-capture.js';
import { median, verdict } from './compare.js';

type Kind = 'vigil' | 'keepalived';
/** Repetitions per figure and daemon (the phase-free figures settle with fewer than the kill-relative ones). */
const RUNS = Number(process.env.VIGIL_BENCH_RUNS ?? 9);

function keepalivedAvailable(): boolean {
  const r = spawn('keepalived', ['--version']);
  return r.pid !== undefined;
}

/** The system clock in milliseconds, to sub-millisecond precision (the clock tcpdump -tt and `ip -ts` use). */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** `[2026-11-27T02:57:12.847062]` from `ip -ts` (local time) as epoch milliseconds, microseconds kept. */
function ipTimestamp(line: string): number | undefined {
  const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)\]/.exec(line);
  if (!m) return undefined;
  return new Date(m[1]!).getTime() + Number(`0.${m[2]}`) * 1000;
}

interface VipSeen {
  /** performance.now() when the line arrived here. */
  readonly mono: number;
  /** When the kernel notified it (epoch ms). */
  readonly wall: number;
}

/** Resolves when `vip` is added in the namespace. */
function watchVip(lan: Lan, host: LanHost, vip: string): { appeared: Promise<VipSeen>; stop: () => void } {
  const proc = lan.spawn(host.ns, ['ip', '-ts', '-o', 'monitor', 'address']);
  let resolve: (t: VipSeen) => void = () => undefined;
  const appeared = new Promise<VipSeen>((r) => (resolve = r));
  let buffer = '';
  proc.stdout?.on('data', (c: Buffer) => {
    const mono = performance.now();
    buffer += c.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.includes('Deleted') || !line.includes(` ${vip}/`)) continue;
      resolve({ mono, wall: ipTimestamp(line) ?? wallNow() });
    }
  });
  return { appeared, stop: () => proc.kill('SIGKILL') };
}

function rssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface PairResult {
  /** Signal to VIP on the backup. */
  readonly signalMs: number;
  /** The master's last advertisement (its priority-0 one after SIGTERM) on the wire to VIP on the backup. */
  readonly wireMs: number;
  readonly rss?: number;
}

async function pairRun(kind: Kind, advert: string, version: 2 | 3, signal: 'SIGKILL' | 'SIGTERM', run: number): Promise<PairResult> {
  const lan = await createLan({ name: `bf${run}`, hosts: ['m', 'b'], v4Prefix: '192.168.77.X', v4Start: 201, v4PrefixLength: 26 });
  const [m, b] = [lan.host('m'), lan.host('b')];
  const vip = '192.168.77.240';
  const daemons: Daemon[] = [];
  const capture = captureAdverts(lan, b);
  try {
    await capture.ready;
    const dm = startDaemon(lan, m, kind, vrrpConfig({ vrid: 90, priority: 150, version, vip: `${vip}/26`, advert }));
    const db = startDaemon(lan, b, kind, vrrpConfig({ vrid: 90, priority: 100, version, vip: `${vip}/26`, advert }));
    daemons.push(dm, db);
    await eventually(async () => JSON.stringify(await holders(lan, [m, b], vip)) === '["m"]', 20_000, () => dm.log() + db.log());
    // A random phase within the advertisement interval, so the runs sample the whole range.
    await delay(1000 + ((run * 373) % 1000));
    const rss = rssKb(dm.vrrpPid());
    const watch = watchVip(lan, b, vip);
    await delay(200);
    const t0 = performance.now();
    dm.kill(signal);
    const seen = await Promise.race([watch.appeared, delay(10_000).then(() => undefined)]);
    watch.stop();
    if (!seen) return { signalMs: Number.NaN, wireMs: Number.NaN, ...(rss !== undefined ? { rss } : {}) };
    const fromMaster = capture.adverts.filter((a) => a.source === m.ipv4 && a.wall <= seen.wall);
    const last = signal === 'SIGTERM' ? fromMaster.find((a) => a.priority === 0) : fromMaster.filter((a) => a.priority > 0).at(-1);
    return { signalMs: seen.mono - t0, wireMs: last ? seen.wall - last.wall : Number.NaN, ...(rss !== undefined ? { rss } : {}) };
  } finally {
    capture.stop();
    for (const d of daemons) d.kill('SIGKILL');
    await lan.cleanup();
    for (const d of daemons) cleanupDir(d);
  }
}

/** From the exec of the daemon to its first advertisement on the wire (tcpdump's stamp on a peer). */
async function firstAdvert(kind: Kind, run: number): Promise<number> {
  const lan = await createLan({ name: `fa${run}`, hosts: ['o', 'w'], v4Prefix: '192.168.77.X', v4Start: 211, v4PrefixLength: 26 });
  const [o, w] = [lan.host('o'), lan.host('w')];
  const capture = captureAdverts(lan, w);
  let d: Daemon | undefined;
  try {
    await capture.ready;
    await delay(300);
    const t0 = wallNow();
    d = startDaemon(lan, o, kind, vrrpConfig({ vrid: 91, priority: 255, version: 3, vip: '192.168.77.239/26', state: 'MASTER' }));
    await eventually(async () => capture.adverts.length > 0, 15_000, () => '').catch(() => undefined);
    const first = capture.adverts[0];
    if (!first) process.stdout.write(`  (${kind}: no advertisement seen; its log:\n${d.log().slice(-1500)})\n`);
    return first ? first.wall - t0 : Number.NaN;
  } finally {
    capture.stop();
    d?.kill('SIGKILL');
    await lan.cleanup();
    if (d) cleanupDir(d);
  }
}

/** The floor under any Node.js daemon: `node -e 0` from exec to exit, in a namespace as the daemons are. */
async function bareNode(run: number): Promise<number> {
  const lan = await createLan({ name: `fn${run}`, hosts: ['o'], v4Prefix: '192.168.77.X', v4Start: 221, v4PrefixLength: 26 });
  try {
    const t0 = performance.now();
    spawnSync('ip', ['netns', 'exec', lan.host('o').ns, process.execPath, '-e', '0']);
    return performance.now() - t0;
  } finally {
    await lan.cleanup();
  }
}

function fmt(xs: number[]): string {
  const ok = xs.filter((x) => Number.isFinite(x));
  if (ok.length === 0) return 'nothing seen';
  return `median ${median(ok).toFixed(1)} ms, min ${Math.min(...ok).toFixed(1)}, max ${Math.max(...ok).toFixed(1)} (${ok.length}/${xs.length} runs)`;
}

export async function run(): Promise<void> {
  const avail = netnsAvailable();
  if (!avail.ok) {
    process.stdout.write(`skipped: ${avail.reason}\n`);
    return;
  }
  const kinds: Kind[] = keepalivedAvailable() ? ['vigil', 'keepalived'] : ['vigil'];
  if (kinds.length === 1) process.stdout.write('keepalived not installed: vigil only\n');
  const cases: { label: string; advert: string; version: 2 | 3; signal: 'SIGKILL' | 'SIGTERM'; boundMs: number }[] = [
    { label: 'failover after SIGKILL, VRRPv2 advert_int 1', advert: '1', version: 2, signal: 'SIGKILL', boundMs: microsToMs(masterDownMicros(2, 100, 100)) },
    { label: 'failover after SIGKILL, VRRPv3 advert_int 0.05', advert: '0.05', version: 3, signal: 'SIGKILL', boundMs: microsToMs(masterDownMicros(3, 100, 5)) },
    { label: 'graceful handover after SIGTERM, VRRPv3 advert_int 1', advert: '1', version: 3, signal: 'SIGTERM', boundMs: microsToMs(skewMicros(3, 100, 100)) },
  ];
  process.stdout.write(`${RUNS} runs per figure and daemon (VIGIL_BENCH_RUNS); verdicts by medians and a Mann-Whitney test\n`);
  // VIGIL_BENCH_ONLY=SIGKILL|SIGTERM|start runs only those figures.
  const only = process.env['VIGIL_BENCH_ONLY'];
  for (const c of cases) {
    if (only !== undefined && only !== c.signal) continue;
    const wireLabel = c.signal === 'SIGTERM' ? 'priority 0→VIP' : 'last advert→VIP';
    process.stdout.write(`${c.label} (protocol bound ${c.boundMs.toFixed(1)} ms from the master's ${c.signal === 'SIGTERM' ? 'priority-0' : 'last'} advertisement):\n`);
    const signal = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
    const wire = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
    const rss = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
    // The daemons take turns, run by run: a machine whose load drifts weighs on both alike.
    for (let i = 0; i < RUNS; i++) {
      for (const kind of kinds) {
        const r = await pairRun(kind, c.advert, c.version, c.signal, i);
        signal.get(kind)!.push(r.signalMs);
        wire.get(kind)!.push(r.wireMs);
        if (r.rss !== undefined) rss.get(kind)!.push(r.rss);
      }
    }
    for (const kind of kinds) {
      const kb = rss.get(kind)!;
      process.stdout.write(`  ${kind.padEnd(10)} signal→VIP ${fmt(signal.get(kind)!)}${kb.length ? `; RSS of the VRRP process ${median(kb)} kB` : ''}\n`);
      const w = wire.get(kind)!.filter(Number.isFinite);
      const over = w.length ? ` (median ${(median(w) - c.boundMs).toFixed(1)} ms from the bound)` : '';
      process.stdout.write(`  ${kind.padEnd(10)} ${wireLabel} ${fmt(wire.get(kind)!)}${over}\n`);
    }
    if (kinds.length === 2) {
      process.stdout.write(`  signal→VIP ${verdict(signal.get('vigil')!, signal.get('keepalived')!)}\n`);
      process.stdout.write(`  ${wireLabel} ${verdict(wire.get('vigil')!, wire.get('keepalived')!)}\n`);
    }
  }
  if (only !== undefined && only !== 'start') return;
  process.stdout.write('start to first advertisement (address owner, priority 255; exec to the packet on the wire):\n');
  const first = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const kind of kinds) first.get(kind)!.push(await firstAdvert(kind, i));
    floor.push(await bareNode(i));
  }
  for (const kind of kinds) process.stdout.write(`  ${kind.padEnd(10)} ${fmt(first.get(kind)!)}\n`);
  process.stdout.write(`  ${'node -e 0'.padEnd(10)} ${fmt(floor)} (exec to exit: the floor under any Node.js daemon)\n`);
  if (kinds.length === 2) process.stdout.write(`  ${verdict(first.get('vigil')!, first.get('keepalived')!)}\n`);
}
