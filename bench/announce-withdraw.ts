/**
 * announce_table withdrawal benchmark (issue 18): how long after vigil dies (SIGKILL) its VIP is gone, from the
 * director's kernel table and from the upstream router's BGP table, with each speaker on the director (BIRD 2,
 * FRR's zebra + bgpd) and BIRD 2 upstream. vigil's route announcer (a TUN device held by vigil and its guardian)
 * runs alone in a process of its own (test/contract/route-announcer-cli.ts), announces, is killed; both times are
 * taken by polling every 2 ms, each poll an `ip` or `birdc` process in the namespace: their start (tens of ms on a
 * loaded machine) is the resolution. The director's route goes when the guardian has flushed it (a shell that
 * runs `ip route flush` on vigil's death), the upstream's when the speaker has sent its UPDATE.
 * VIGIL_BENCH_ANNOUNCE_ROUNDS sets the kills per speaker (default 10).
 *
 * Needs root, namespaces, bird (and FRR for its half); skipped with the reason otherwise.
 */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { commandAvailable, createLan, netnsAvailable, type Lan, type LanHost } from '../test/netns/harness.js';
import { birdDirector, birdHasRoute, birdUpstream, frrBgpd, frrZebra, startBird, startFrr, type Speaker } from '../test/real/bgp-speakers.js';
import { pollUntil } from '../test/contract/contract.js';

const ROUNDS = Number(process.env['VIGIL_BENCH_ANNOUNCE_ROUNDS'] ?? 10);
const VIP = '192.168.77.100';
const TABLE = 100;
const CLI = fileURLToPath(new URL('../test/contract/route-announcer-cli.js', import.meta.url));

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

async function kernelHas(lan: Lan, ns: string): Promise<boolean> {
  const { stdout } = await lan.exec(ns, ['ip', '-N', '-j', 'route', 'show', 'table', String(TABLE), 'proto', '86']);
  return stdout.includes(VIP);
}

/** One round: announce from a fresh process, wait for the upstream to learn it, kill -9, time both withdrawals. */
async function round(lan: Lan, dir: LanHost, up: LanHost, upCtl: string): Promise<{ kernelMs: number; upstreamMs: number }> {
  const child = lan.spawn(dir.ns, [process.execPath, CLI, 'serve']);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  await lines.next();
  child.stdin!.write(`${JSON.stringify({ op: 'announce', vip: VIP, table: TABLE })}\n`);
  await lines.next();
  await pollUntil(() => birdHasRoute(lan, up.ns, upCtl, `${VIP}/32`, `via ${dir.ipv4}`), 'upstream learns the VIP', 60_000, 20);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const killed = performance.now();
  child.kill('SIGKILL');
  let kernelMs = -1;
  let upstreamMs = -1;
  await pollUntil(
    async () => {
      if (kernelMs < 0 && !(await kernelHas(lan, dir.ns))) kernelMs = performance.now() - killed;
      if (upstreamMs < 0 && !(await birdHasRoute(lan, up.ns, upCtl, `${VIP}/32`, `via ${dir.ipv4}`))) upstreamMs = performance.now() - killed;
      return kernelMs >= 0 && upstreamMs >= 0;
    },
    'withdrawn',
    60_000,
    2,
  );
  await exited;
  return { kernelMs, upstreamMs };
}

async function measure(name: string, speaker: (lan: Lan, dir: LanHost, up: LanHost) => Promise<Speaker>): Promise<void> {
  const lan = await createLan({ name, hosts: ['dir', 'up'], v4Prefix: '192.168.77.X', v4Start: 11, v4PrefixLength: 24 });
  const [dir, up] = [lan.host('dir'), lan.host('up')];
  const speakers: Speaker[] = [];
  try {
    const upstream = await startBird(lan, up.ns, 'up', birdUpstream(up, [dir]));
    speakers.push(upstream, await speaker(lan, dir, up));
    const kernel: number[] = [];
    const upstreamMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await round(lan, dir, up, upstream.ctl);
      kernel.push(r.kernelMs);
      upstreamMs.push(r.upstreamMs);
    }
    const line = (what: string, xs: number[]): string => `${what}: p50 ${percentile(xs, 50).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(`${name}, ${ROUNDS} kills: ${line('director kernel table', kernel)}; ${line('upstream BGP table', upstreamMs)}`);
  } finally {
    for (const s of speakers) await s.stop();
    await lan.cleanup();
  }
}

export async function run(): Promise<void> {
  const netns = netnsAvailable();
  if (!netns.ok) return void console.log(`skipped: ${netns.reason}`);
  if (!commandAvailable('bird').ok) return void console.log('skipped: bird is not installed');
  await measure('announcebird', (lan, dir, up) => startBird(lan, dir.ns, 'dir', birdDirector(dir, up, TABLE)));
  if (!existsSync('/usr/lib/frr/zebra') || !existsSync('/usr/lib/frr/bgpd')) return void console.log('FRR: skipped (not installed)');
  await measure('announcefrr', (lan, dir, up) => startFrr(lan, dir.ns, frrZebra(TABLE), frrBgpd(dir, up, TABLE)));
}
