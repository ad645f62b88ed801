/**
 * Daemon benchmark (issue 4), vigil and Debian's keepalived side by side on the same LANs of namespaces:
 * failover time after SIGKILL of the master (advert_int 1 s, and VRRPv3 advert_int 0.05 s), graceful handover
 * after SIGTERM, time from start to the first advertisement of an address owner, and RSS. Times are from the
 * signal to the VIP appearing on the backup (seen by `ip monitor` in its namespace), printed beside the protocol
 * bound (3 × advert + skew for a crash, skew for a handover). Needs root and namespaces.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { createLan, netnsAvailable, type Lan, type LanHost } from '../test/netns/harness.js';
import { cleanupDir, eventually, holders, startDaemon, vrrpConfig, type Daemon } from '../test/daemon/daemons.js';
import { masterDownMicros, skewMicros, microsToMs } from '../machines/vrrp-timing.js';

type Kind = 'vigil' | 'keepalived';
const RUNS = Number(process.env.VIGIL_BENCH_RUNS ?? 5);

function keepalivedAvailable(): boolean {
  const r = spawn('keepalived', ['--version']);
  return r.pid !== undefined;
}

/** Resolves with performance.now() when `vip` is added in the namespace. */
function watchVip(lan: Lan, host: LanHost, vip: string): { appeared: Promise<number>; stop: () => void } {
  const proc = lan.spawn(host.ns, ['ip', '-o', 'monitor', 'address']);
  let resolve: (t: number) => void = () => undefined;
  const appeared = new Promise<number>((r) => (resolve = r));
  let buffer = '';
  proc.stdout?.on('data', (c: Buffer) => {
    const now = performance.now();
    buffer += c.toString();
    if (!buffer.includes('Deleted') && buffer.includes(vip)) resolve(now);
    buffer = buffer.split('\n').slice(-1)[0]!;
  });
  return { appeared, stop: () => proc.kill('SIGKILL') };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
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

async function pairRun(kind: Kind, advert: string, version: 2 | 3, signal: 'SIGKILL' | 'SIGTERM', run: number): Promise<{ ms: number; rss?: number }> {
  const lan = await createLan({ name: `bf${run}`, hosts: ['m', 'b'], v4Prefix: '192.168.77.X', v4Start: 201, v4PrefixLength: 26 });
  const [m, b] = [lan.host('m'), lan.host('b')];
  const vip = '192.168.77.240';
  const daemons: Daemon[] = [];
  try {
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
    const t1 = await Promise.race([watch.appeared, delay(10_000).then(() => Number.NaN)]);
    watch.stop();
    return { ms: t1 - t0, ...(rss !== undefined ? { rss } : {}) };
  } finally {
    for (const d of daemons) d.kill('SIGKILL');
    await lan.cleanup();
    for (const d of daemons) cleanupDir(d);
  }
}

async function firstAdvert(kind: Kind, run: number): Promise<number> {
  const lan = await createLan({ name: `fa${run}`, hosts: ['o', 'w'], v4Prefix: '192.168.77.X', v4Start: 211, v4PrefixLength: 26 });
  const [o, w] = [lan.host('o'), lan.host('w')];
  const tcpdump = lan.spawn(w.ns, ['tcpdump', '-l', '-n', '-i', 'eth0', 'ip proto 112']);
  let d: Daemon | undefined;
  try {
    const seen = new Promise<number>((resolve) => tcpdump.stdout?.on('data', () => resolve(performance.now())));
    await delay(700);
    const t0 = performance.now();
    d = startDaemon(lan, o, kind, vrrpConfig({ vrid: 91, priority: 255, version: 3, vip: '192.168.77.239/26', state: 'MASTER' }));
    const t1 = await Promise.race([seen, delay(15_000).then(() => Number.NaN)]);
    if (!Number.isFinite(t1)) process.stdout.write(`  (${kind}: no advertisement seen; its log:\n${d.log().slice(-1500)})\n`);
    return t1 - t0;
  } finally {
    tcpdump.kill('SIGKILL');
    d?.kill('SIGKILL');
    await lan.cleanup();
    if (d) cleanupDir(d);
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
  for (const c of cases) {
    process.stdout.write(`${c.label} (protocol bound ${c.boundMs.toFixed(1)} ms after the master's last advertisement):\n`);
    for (const kind of kinds) {
      const times: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await pairRun(kind, c.advert, c.version, c.signal, i);
        times.push(r.ms);
        if (r.rss !== undefined) rss.push(r.rss);
      }
      process.stdout.write(`  ${kind.padEnd(10)} ${fmt(times)}${rss.length ? `; RSS of the VRRP process ${median(rss)} kB` : ''}\n`);
    }
  }
  process.stdout.write('start to first advertisement (address owner, priority 255):\n');
  for (const kind of kinds) {
    const times: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) times.push(await firstAdvert(kind, i));
    process.stdout.write(`  ${kind.padEnd(10)} ${fmt(times)}\n`);
  }
}
