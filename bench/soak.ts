/**
 * Soak benchmark (issue 13): a vigil pair (directors a and b) with 500 TCP_CHECK real servers (10 virtual
 * servers × 50, nftables backend), a peer of higher priority that comes and goes every 5 s (each time an election
 * and a preemption), and a reload (SIGHUP, the configuration alternating between two variants) every 10 s. Every
 * 5 s the master's status gives its RSS, open descriptors, child processes and Node handles (timers are
 * `Timeout`); printed: the median of the first and the last quartile of the samples, which a leak pulls apart.
 * One hour by default; `npm run bench -- soak --duration 600` (seconds) for a shorter run.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan, netnsAvailable, type Lan } from '../test/netns/harness.js';
import { cleanupDir, eventually, holders, startDaemon, vigilStatus, type Daemon } from '../test/daemon/daemons.js';
import { median } from './compare.js';

const VIP = '192.168.77.30';
const SERVICES = 10;
const SERVERS_PER_SERVICE = 50;
const FLAP_MS = 5000;
const RELOAD_MS = 10_000;
const SAMPLE_MS = 5000;

function durationSeconds(): number {
  const i = process.argv.indexOf('--duration');
  const given = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(given) && given > 0 ? given : 3600;
}

/** One Node process listening on every real server's port. */
const LISTENER = `
const net = require('node:net');
const [first, count] = [Number(process.argv[1]), Number(process.argv[2])];
let up = 0;
for (let p = first; p < first + count; p++) net.createServer((s) => { s.on('error', () => {}); s.end('ok'); }).listen(p, '0.0.0.0', () => { if (++up === count) console.log('ready'); });
`;

function config(priority: number, variant: 0 | 1, serverAddress: string): string {
  const services = Array.from({ length: SERVICES }, (_, s) => {
    const reals = Array.from(
      { length: SERVERS_PER_SERVICE },
      (_, r) => `  real_server ${serverAddress} ${20000 + s * SERVERS_PER_SERVICE + r} {
    weight ${variant === 1 && r === 0 ? 2 : 1}
    TCP_CHECK {
      connect_timeout 1
    }
  }`,
    ).join('\n');
    return `virtual_server ${VIP} ${8000 + s} {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
${reals}
}`;
  }).join('\n');
  return `global_defs {
  lvs_backend nftables
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 60
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/26
${variant === 1 ? '    192.168.77.31/26\n' : ''}  }
}
${priority === 200 ? '' : services}
`;
}

interface Sample {
  readonly rss: number;
  readonly fds: number;
  readonly children: number;
  readonly timers: number;
  readonly handles: number;
}

function quartiles(samples: readonly Sample[], key: keyof Sample): string {
  const q = Math.max(1, Math.floor(samples.length / 4));
  const first = median(samples.slice(0, q).map((s) => s[key]));
  const last = median(samples.slice(-q).map((s) => s[key]));
  const max = Math.max(...samples.map((s) => s[key]));
  return `first quartile ${first}, last quartile ${last} (max ${max})`;
}

export async function run(): Promise<void> {
  const avail = netnsAvailable();
  const nft = commandAvailable('nft');
  if (!avail.ok || !nft.ok) {
    process.stdout.write(`skipped: ${!avail.ok ? avail.reason : !nft.ok ? nft.reason : ''}\n`);
    return;
  }
  const seconds = durationSeconds();
  process.stdout.write(
    `${seconds} s (--duration): a vigil pair with ${SERVICES * SERVERS_PER_SERVICE} TCP_CHECK real servers, a peer flapping every ${FLAP_MS / 1000} s, a reload every ${RELOAD_MS / 1000} s\n`,
  );
  const lan: Lan = await createLan({ name: 'sk', hosts: ['a', 'b', 'p', 'r'], v4Prefix: '192.168.77.X', v4Start: 33, v4PrefixLength: 26 });
  const [a, b, p, r] = [lan.host('a'), lan.host('b'), lan.host('p'), lan.host('r')];
  const daemons: Daemon[] = [];
  let listener: ChildProcess | undefined;
  try {
    listener = lan.spawn(r.ns, [process.execPath, '-e', LISTENER, '20000', String(SERVICES * SERVERS_PER_SERVICE)]);
    await once(listener.stdout!, 'data');
    const da = startDaemon(lan, a, 'vigil', config(150, 0, r.ipv4));
    const db = startDaemon(lan, b, 'vigil', config(100, 0, r.ipv4));
    daemons.push(da, db);
    await eventually(async () => JSON.stringify(await holders(lan, [a, b], VIP)) === '["a"]', 30_000, () => da.log().slice(-2000));
    const dp = startDaemon(lan, p, 'vigil', config(200, 0, r.ipv4));
    daemons.push(dp);
    const samples: Sample[] = [];
    const start = performance.now();
    let nextFlap = start + FLAP_MS;
    let nextReload = start + RELOAD_MS;
    let nextSample = start;
    let peerUp = true;
    let variant: 0 | 1 = 0;
    let reloads = 0;
    let flaps = 0;
    while (performance.now() - start < seconds * 1000) {
      const now = performance.now();
      if (now >= nextFlap) {
        if (peerUp) dp.kill('SIGTERM');
        else dp.restart();
        peerUp = !peerUp;
        flaps++;
        nextFlap += FLAP_MS;
      }
      if (now >= nextReload) {
        variant = variant === 0 ? 1 : 0;
        writeFileSync(da.conf, config(150, variant, r.ipv4));
        writeFileSync(db.conf, config(100, variant, r.ipv4));
        da.proc.kill('SIGHUP');
        db.proc.kill('SIGHUP');
        reloads++;
        nextReload += RELOAD_MS;
      }
      if (now >= nextSample) {
        const s = await vigilStatus(lan, da).catch(() => undefined);
        const proc = (s as { process?: { rss_kb: number; open_fds: number; children: number; handles: Record<string, number> } } | undefined)?.process;
        if (proc) {
          const handles = Object.values(proc.handles).reduce((x, y) => x + y, 0);
          samples.push({ rss: proc.rss_kb, fds: proc.open_fds, children: proc.children, timers: proc.handles['Timeout'] ?? 0, handles });
        }
        nextSample += SAMPLE_MS;
      }
      await delay(100);
    }
    const alive = daemons.slice(0, 2).every((d) => d.proc.exitCode === null && d.proc.signalCode === null);
    const w = (line: string) => process.stdout.write(`  ${line}\n`);
    w(`${flaps} peer flaps, ${reloads} reloads, ${samples.length} samples of the director a; both directors running: ${alive}`);
    if (samples.length > 0) {
      w(`RSS kB: ${quartiles(samples, 'rss')}`);
      w(`open fds: ${quartiles(samples, 'fds')}`);
      w(`child processes: ${quartiles(samples, 'children')}`);
      w(`timers: ${quartiles(samples, 'timers')}`);
      w(`all Node handles: ${quartiles(samples, 'handles')}`);
    }
  } finally {
    listener?.kill('SIGKILL');
    for (const d of daemons) d.kill('SIGKILL');
    await lan.cleanup();
    for (const d of daemons) cleanupDir(d);
  }
}
