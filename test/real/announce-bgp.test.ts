/**
 * announce_table with real BGP speakers, in namespaces: a director running vigil and its speaker (BIRD 2, or FRR's
 * zebra + bgpd), peering eBGP with an upstream router running BIRD 2, and a real server. vigil's virtual server
 * announces 192.168.77.100 in table 100 while its quorum is up; the speaker exports the table (BIRD: kernel
 * protocol with `learn`; FRR: `ip import-table 100` and `redistribute table 100`). The upstream learns the VIP
 * when the quorum is up, loses it when the real server fails, learns it again when it is back, and loses it after
 * `kill -9` of vigil (its TUN device, and every route through it, gone with it). The times are printed.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { announcedVirtualServer, birdDirector, birdHasRoute, birdUpstream, frrBgpd, frrZebra, startBird, startFrr, startTcpRealServer, type Speaker, BIRD_NEEDS, FRR_NEEDS } from './bgp-speakers.js';
import { requireRealNetwork } from './helpers.js';
import { startDaemon, VIGIL, type Daemon } from '../daemon/daemons.js';
import { pollUntil } from '../contract/contract.js';

const VIP = '192.168.77.100';
const TABLE = 100;
/** Generous bounds for a loaded machine: what is asserted is that it happens, the times are printed. */
const WAIT_MS = 60_000;



async function scenario(t: TestContext, name: string, director: (lan: Lan, dir: LanHost, up: LanHost) => Promise<Speaker>): Promise<void> {
  const lan = await createLan({ name, hosts: ['dir', 'up', 'rs'], v4Prefix: '192.168.77.X', v4Start: 11, v4PrefixLength: 24 });
  const [dir, up, rs] = [lan.host('dir'), lan.host('up'), lan.host('rs')];
  const speakers: Speaker[] = [];
  let vigil: Daemon | undefined;
  const logs = (): string => `\n--- vigil:\n${vigil?.log() ?? ''}\n${speakers.map((s) => `--- speaker:\n${s.log()}`).join('\n')}`;
  try {
    const upstream = await startBird(lan, up.ns, 'up', birdUpstream(up, [dir]));
    speakers.push(upstream);
    speakers.push(await director(lan, dir, up));
    const learned = async (): Promise<boolean> => {
      return birdHasRoute(lan, up.ns, upstream.ctl, `${VIP}/32`, `via ${dir.ipv4}`);
    };
    const until = async (want: boolean, what: string): Promise<number> => {
      const start = performance.now();
      await pollUntil(async () => (await learned()) === want, what, WAIT_MS, 20).catch((e: Error) => assert.fail(`${e.message}${logs()}`));
      return performance.now() - start;
    };
    let server = startTcpRealServer(lan, rs.ns, '0.0.0.0');
    vigil = startDaemon(lan, dir, 'vigil', announcedVirtualServer(VIP, rs.ipv4, TABLE));
    const first = await until(true, 'the upstream learns the VIP (quorum up)');
    console.log(`# ${name}: the upstream learned ${VIP}/32 ${first.toFixed(0)} ms after vigil started`);
    const { stdout } = await lan.exec(dir.ns, ['ip', '-N', '-j', 'route', 'show', 'table', String(TABLE), 'proto', '86']);
    assert.deepEqual((JSON.parse(stdout) as { dst: string; dev: string }[]).map((r) => `${r.dst} ${r.dev}`), [`${VIP} vigil-announce`]);
    const announced = async (): Promise<unknown> => {
      const status = await lan.exec(dir.ns, [VIGIL, 'status', '--json', '--socket', vigil!.statusSocket]);
      return (JSON.parse(status.stdout) as { announced?: unknown }).announced;
    };
    assert.deepEqual(await announced(), [{ owner: `virtual_server ${VIP}:80`, vip: VIP, table: TABLE, announced: true }]);

    server.kill('SIGKILL');
    const lost = await until(false, 'the upstream loses the VIP when the real server fails (quorum down)');
    console.log(`# ${name}: withdrawn ${lost.toFixed(0)} ms after the real server was killed (delay_loop 1, connect_timeout 1)`);
    assert.deepEqual(await announced(), [{ owner: `virtual_server ${VIP}:80`, vip: VIP, table: TABLE, announced: false }]);
    server = startTcpRealServer(lan, rs.ns, '0.0.0.0');
    await until(true, 'the upstream learns the VIP again when the real server is back');

    vigil.kill('SIGKILL');
    await vigil.exited();
    const dead = await until(false, 'the upstream loses the VIP after kill -9 of vigil');
    console.log(`# ${name}: withdrawn ${dead.toFixed(0)} ms after vigil was killed (SIGKILL)`);
    const link = await lan.exec(dir.ns, ['ip', '-j', 'link', 'show']);
    assert.ok(!link.stdout.includes('vigil-announce'), 'the TUN device is gone');
    server.kill('SIGKILL');
  } finally {
    for (const s of speakers) await s.stop();
    await lan.cleanup();
  }
}

test('announce_table with BIRD 2: the upstream learns the VIP while the quorum is up, loses it on a failure and on kill -9', { timeout: 300_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS, () => commandAvailable('nft'))) return;
  await scenario(t, 'announcebird', async (lan, dir, up) => startBird(lan, dir.ns, 'dir', birdDirector(dir, up, TABLE)));
});

test('announce_table with FRR (zebra ip import-table, bgpd redistribute table): the same', { timeout: 300_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS, () => commandAvailable('nft'), ...FRR_NEEDS)) return;
  await scenario(t, 'announcefrr', async (lan, dir, up) => startFrr(lan, dir.ns, frrZebra(TABLE), frrBgpd(dir, up, TABLE)));
});
