/**
 * announce_table for an IPv6 virtual server, in namespaces: a director running vigil (virtual server fd77::100
 * port 80, one real server) and BIRD 2, peering eBGP over IPv6 with an upstream BIRD 2 (ipv6 channel) or FRR. The
 * upstream learns fd77::100/128 while the quorum is up, loses it when the real server fails, learns it again when
 * it is back, and loses it after `kill -9` of vigil. The times are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { announcedVirtualServer, startBird, startFrr, startTcpRealServer, type Speaker, BIRD_NEEDS, FRR_NEEDS } from './bgp-speakers.js';
import { birdDirectorOf, birdNextHops, frrNextHops, birdUpstreamOf } from './announce-peers.js';
import { requireRealNetwork } from './helpers.js';
import { cleanupDir, startDaemon, VIGIL, type Daemon } from '../daemon/daemons.js';

const VIP = 'fd77::100';
const TABLE = 100;
const TIMERS = { hold: 3, keepalive: 1 };
const WAIT_MS = 60_000;



/** The upstream router: its speaker, and the next hops of its BGP routes for a prefix. */
interface Upstream {
  readonly speaker: Speaker;
  nextHops(prefix: string): Promise<string[]>;
}
type StartUpstream = (lan: Lan, up: LanHost, dir: LanHost) => Promise<Upstream>;

const birdUpstream: StartUpstream = async (lan, up, dir) => {
  const speaker = await startBird(lan, up.ns, 'up', birdUpstreamOf(up.ipv4, { address: up.ipv6!, asn: 65000 }, [{ address: dir.ipv6!, asn: 65001 }], 'ipv6', TIMERS));
  return { speaker, nextHops: (prefix) => birdNextHops(lan, up.ns, speaker.ctl, prefix) };
};

/** FRR's bgpd as the upstream: an IPv6 session, the ipv6 unicast family activated on it. */
const frrUpstream: StartUpstream = async (lan, up, dir) => {
  const n = dir.ipv6!;
  const bgpd = `router bgp 65000\n bgp router-id ${up.ipv4}\n no bgp ebgp-requires-policy\n neighbor ${n} remote-as 65001\n neighbor ${n} timers ${TIMERS.keepalive} ${TIMERS.hold}\n neighbor ${n} timers connect 1\n address-family ipv6 unicast\n  neighbor ${n} activate\n exit-address-family\n`;
  const speaker = await startFrr(lan, up.ns, 'log stdout warnings\n', bgpd);
  return {
    speaker,
    nextHops: (prefix) => frrNextHops(speaker.vtysh, 'ipv6', prefix),
  };
};

async function scenario(t: { diagnostic(s: string): void }, name: string, startUpstream: StartUpstream): Promise<void> {
  const lan = await createLan({ name, hosts: ['up', 'dir', 'rs'], v4Prefix: '192.168.77.X', v4Start: 31, v4PrefixLength: 24, v6Prefix: 'fd77::X', v6PrefixLength: 64 });
  const [up, dir, rs] = [lan.host('up'), lan.host('dir'), lan.host('rs')];
  const speakers: Speaker[] = [];
  let vigil: Daemon | undefined;
  let upstreamLog = (): string => '';
  const logs = (): string => `\n--- vigil:\n${vigil?.log().slice(-3000) ?? ''}\n--- upstream:\n${upstreamLog()}\n${speakers.slice(1).map((s) => `--- director's speaker:\n${s.log().slice(-3000)}`).join('\n')}`;
  try {
    const upstream = await startUpstream(lan, up, dir);
    upstreamLog = upstream.speaker.log;
    speakers.push(upstream.speaker);
    speakers.push(await startBird(lan, dir.ns, 'dir', birdDirectorOf(dir.ipv4, { address: dir.ipv6!, asn: 65001 }, { address: up.ipv6!, asn: 65000 }, TABLE, 'ipv6', TIMERS)));

    const learned = async (): Promise<boolean> => (await upstream.nextHops(`${VIP}/128`)).includes(dir.ipv6!);
    const until = async (want: boolean, what: string): Promise<number> => {
      const t0 = performance.now();
      while ((await learned()) !== want) {
        if (performance.now() - t0 > WAIT_MS) assert.fail(`${what}: not within ${WAIT_MS} ms${logs()}`);
        await delay(20);
      }
      return performance.now() - t0;
    };
    const announced = async (): Promise<unknown> => {
      const status = await lan.exec(dir.ns, [VIGIL, 'status', '--json', '--socket', vigil!.statusSocket]);
      return (JSON.parse(status.stdout) as { announced?: Array<{ vip: string; table: number; announced: boolean }> }).announced?.map(({ vip, table, announced }) => ({ vip, table, announced }));
    };

    let server = startTcpRealServer(lan, rs.ns, '::');
    vigil = startDaemon(lan, dir, 'vigil', announcedVirtualServer(VIP, rs.ipv6!, TABLE));
    const first = await until(true, `the upstream learns ${VIP}/128 (quorum up)`);
    t.diagnostic(`${name}: the upstream learned ${VIP}/128 ${first.toFixed(0)} ms after vigil started`);
    const routes = JSON.parse((await lan.exec(dir.ns, ['ip', '-6', '-j', 'route', 'show', 'table', String(TABLE), 'proto', '86'])).stdout) as { dst: string; dev: string }[];
    assert.deepEqual(routes.map((r) => `${r.dst} ${r.dev}`), [`${VIP} vigil-announce`]);
    assert.deepEqual(await announced(), [{ vip: VIP, table: TABLE, announced: true }]);

    server.kill('SIGKILL');
    const lost = await until(false, `the upstream loses ${VIP}/128 when the real server fails (quorum down)`);
    t.diagnostic(`${name}: withdrawn ${lost.toFixed(0)} ms after the real server was killed`);
    assert.deepEqual(await announced(), [{ vip: VIP, table: TABLE, announced: false }]);
    server = startTcpRealServer(lan, rs.ns, '::');
    await until(true, `the upstream learns ${VIP}/128 again when the real server is back`);

    vigil.kill('SIGKILL');
    await vigil.exited();
    const dead = await until(false, `the upstream loses ${VIP}/128 after kill -9 of vigil`);
    t.diagnostic(`${name}: withdrawn ${dead.toFixed(0)} ms after vigil was killed (SIGKILL)`);
    const left = await lan.exec(dir.ns, ['ip', '-6', 'route', 'show', 'table', String(TABLE)]);
    assert.equal(left.stdout.trim(), '', 'nothing left in the announce table');
    server.kill('SIGKILL');
  } finally {
    vigil?.kill('SIGKILL');
    for (const s of speakers) await s.stop();
    await lan.cleanup();
    if (vigil !== undefined) cleanupDir(vigil);
  }
}

test('announce_table on an IPv6 virtual server with BIRD 2 (ipv6 channel): the upstream learns the /128, loses it on quorum down and on kill -9', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS, () => commandAvailable('nft'))) return;
  await scenario(t, 'ecmpmore6b', birdUpstream);
});

test('the same behind an upstream FRR bgpd (ipv6 unicast over an IPv6 session)', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS, () => commandAvailable('nft'), ...FRR_NEEDS)) return;
  await scenario(t, 'ecmpmore6f', frrUpstream);
});
