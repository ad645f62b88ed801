/**
 * A whole director dying, in namespaces: three directors (vigil with an announce_table virtual server, and BIRD 2
 * exporting table 100) peer eBGP with an upstream router (BIRD 2, or FRR's bgpd; hold time 3 s, keepalive 1 s);
 * one real server.
 *  - d1's link is cut (its bridge port down), then its vigil and its BIRD are killed (SIGKILL): nothing reaches
 *    the upstream, which drops d1's path only when its hold timer expires (BIRD's `Hold timer expired`);
 *  - d2's vigil and BIRD are killed with the link up: the kernel closes the BGP connection, and the upstream drops
 *    d2's path at once, without waiting for the hold timer;
 *  - d3's path (and d2's, while d2 is alive) stays at the upstream in every sample meanwhile.
 * The times are printed, not asserted (a loaded machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import type { BgpPeer } from './announce-peers.js';
import { startBird, startFrr, type Speaker, BIRD_NEEDS, FRR_NEEDS } from './bgp-speakers.js';
import { birdDirectorOf, birdNextHops, frrNextHops, birdProtocol, birdUpstreamOf } from './announce-peers.js';
import { requireRealNetwork } from './helpers.js';
import { startDaemon, cleanupDir, type Daemon } from '../daemon/daemons.js';

const VIP = '192.168.77.100';
const TABLE = 100;
const TIMERS = { hold: 3, keepalive: 1 };
const WAIT_MS = 60_000;

const vigilConfig = (name: string, rs: LanHost): string => `global_defs {
  router_id ${name}
  lvs_backend nftables
}
virtual_server ${VIP} 80 {
  announce_table ${TABLE}
  delay_loop 1
  lb_algo mh
  lb_kind NAT
  protocol TCP
  real_server ${rs.ipv4} 8080 {
    TCP_CHECK {
      connect_timeout 3
      retry 2
    }
  }
}
`;

function startRealServer(lan: Lan, ns: string): ChildProcess {
  return lan.spawn(ns, [process.execPath, '-e', "require('net').createServer((s) => s.end()).listen(8080, '0.0.0.0')"]);
}

/** The upstream router as these tests see it. */
interface Upstream {
  readonly speaker: Speaker;
  /** The next hops of its BGP routes for `prefix`, sorted. */
  nextHops(prefix: string): Promise<string[]>;
  /** Whether its session with director `i` (0-based) went down on its hold timer, and what it says of it. */
  holdTimerExpired(i: number): Promise<{ expired: boolean; text: string }>;
}

async function birdUpstream(lan: Lan, up: LanHost, self: BgpPeer, peers: readonly BgpPeer[]): Promise<Upstream> {
  const speaker = await startBird(lan, up.ns, 'up', birdUpstreamOf(up.ipv4, self, peers, 'ipv4', TIMERS));
  return {
    speaker,
    nextHops: (prefix) => birdNextHops(lan, up.ns, speaker.ctl, prefix),
    async holdTimerExpired(i) {
      const text = await birdProtocol(lan, up.ns, speaker.ctl, `director${i + 1}`);
      return { expired: /Hold timer expired/.test(text), text };
    },
  };
}

/** FRR's bgpd as the upstream: one neighbor per director, timers 1 3 (keepalive, hold). */
async function frrUpstream(lan: Lan, up: LanHost, self: BgpPeer, peers: readonly BgpPeer[]): Promise<Upstream> {
  const neighbors = peers.map((p) => ` neighbor ${p.address} remote-as ${p.asn}\n neighbor ${p.address} timers ${TIMERS.keepalive} ${TIMERS.hold}\n neighbor ${p.address} timers connect 1\n`).join('');
  const bgpd = `router bgp ${self.asn}\n bgp router-id ${up.ipv4}\n no bgp ebgp-requires-policy\n${neighbors}`;
  const speaker = await startFrr(lan, up.ns, 'log stdout warnings\n', bgpd);
  return {
    speaker,
    nextHops: (prefix) => frrNextHops(speaker.vtysh, 'ipv4', prefix),
    async holdTimerExpired(i) {
      const text = await speaker.vtysh(`show bgp neighbors ${peers[i]!.address} json`).catch((e: Error) => e.message);
      return { expired: /Hold Timer Expired/i.test(text), text };
    },
  };
}

async function scenario(t: { diagnostic(s: string): void }, name: string, startUpstream: typeof birdUpstream): Promise<void> {
  const lan = await createLan({ name, hosts: ['up', 'd1', 'd2', 'd3', 'rs'], v4Prefix: '192.168.77.X', v4Start: 11, v4PrefixLength: 24 });
  const up = lan.host('up');
  const directors = ['d1', 'd2', 'd3'].map((n) => lan.host(n));
  const rs = lan.host('rs');
  const speakers: Speaker[] = [];
  const vigils: Daemon[] = [];
  let upstreamLog = (): string => '';
  const logs = (): string => `\n--- upstream:\n${upstreamLog()}\n${vigils.map((v) => `--- vigil ${v.host.name}:\n${v.log().slice(-3000)}`).join('\n')}`;
  try {
    const self = { address: up.ipv4, asn: 65000 };
    const peers = directors.map((d, i) => ({ address: d.ipv4, asn: 65001 + i }));
    const upstream = await startUpstream(lan, up, self, peers);
    upstreamLog = upstream.speaker.log;
    speakers.push(upstream.speaker);
    const directorSpeakers: Speaker[] = [];
    for (const [i, d] of directors.entries()) {
      const s = await startBird(lan, d.ns, d.name, birdDirectorOf(d.ipv4, peers[i]!, self, TABLE, 'ipv4', TIMERS));
      speakers.push(s);
      directorSpeakers.push(s);
    }
    const server = startRealServer(lan, rs.ns);
    for (const d of directors) vigils.push(startDaemon(lan, d, 'vigil', vigilConfig(d.name, rs)));

    const nextHops = (): Promise<string[]> => upstream.nextHops(`${VIP}/32`);
    const all = directors.map((d) => d.ipv4).sort();
    const start = performance.now();
    let seen: string[] = [];
    while ((seen = await nextHops()).join() !== all.join()) {
      if (performance.now() - start > WAIT_MS) assert.fail(`the upstream never had the VIP via all three directors (has [${seen.join(', ')}])${logs()}`);
      await delay(50);
    }
    t.diagnostic(`${name}: the upstream has ${VIP}/32 via ${seen.join(', ')} ${(performance.now() - start).toFixed(0)} ms after the vigils started`);

    /** Samples the upstream until `gone` has left its next hops; every sample must hold `stay`. */
    const untilGone = async (gone: string, stay: readonly string[], what: string): Promise<number> => {
      const t0 = performance.now();
      for (;;) {
        const hops = await nextHops();
        for (const s of stay) assert.ok(hops.includes(s), `${what}: the upstream lost ${s}'s path too (has [${hops.join(', ')}])${logs()}`);
        if (!hops.includes(gone)) return performance.now() - t0;
        if (performance.now() - t0 > WAIT_MS) assert.fail(`${what}: ${gone}'s path still at the upstream after ${WAIT_MS} ms${logs()}`);
        await delay(50);
      }
    };

    // d1: the link cut first (its bridge port down: no FIN, no RST, no UPDATE reaches the upstream), then killed.
    const [d1, d2, d3] = directors as [LanHost, LanHost, LanHost];
    await lan.exec(lan.bridgeNs, ['ip', 'link', 'set', 'p1', 'down']);
    vigils[0]!.kill('SIGKILL');
    directorSpeakers[0]!.stop().catch(() => undefined);
    const cut = await untilGone(d1.ipv4, [d2.ipv4, d3.ipv4], 'd1 cut off and killed');
    const d1State = await upstream.holdTimerExpired(0);
    assert.ok(d1State.expired, `the upstream dropped d1 on its hold timer:\n${d1State.text}`);
    t.diagnostic(`${name}: d1 (link cut, vigil and BIRD killed): its path gone ${cut.toFixed(0)} ms after the cut (hold time ${TIMERS.hold} s, keepalive ${TIMERS.keepalive} s)`);

    // d2: vigil and BIRD killed, the link up: the kernel closes BIRD's connection, the upstream sees it go.
    vigils[1]!.kill('SIGKILL');
    directorSpeakers[1]!.stop().catch(() => undefined);
    const closed = await untilGone(d2.ipv4, [d3.ipv4], 'd2 killed');
    const d2State = await upstream.holdTimerExpired(1);
    assert.ok(!d2State.expired, `the upstream dropped d2 without waiting for its hold timer:\n${d2State.text}`);
    t.diagnostic(`${name}: d2 (vigil and BIRD killed, link up): its path gone ${closed.toFixed(0)} ms after the kill`);

    // d3 alone, still announced, and still announcing a second later.
    await delay(TIMERS.hold * 1000);
    assert.deepEqual(await nextHops(), [d3.ipv4], `only d3's path is left${logs()}`);
    server.kill('SIGKILL');
  } finally {
    for (const v of vigils) v.kill('SIGKILL');
    for (const s of speakers) await s.stop();
    await lan.cleanup();
    for (const v of vigils) cleanupDir(v);
  }
}

test('a director dying whole, upstream BIRD 2: its path goes when the hold timer expires (link cut) or at once (session closed); the others stay', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS, () => commandAvailable('nft'))) return;
  await scenario(t, 'ecmpmoredieb', birdUpstream);
});

test('a director dying whole, upstream FRR bgpd: the same', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS, () => commandAvailable('nft'), ...FRR_NEEDS)) return;
  await scenario(t, 'ecmpmoredief', frrUpstream);
});
