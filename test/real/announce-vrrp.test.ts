/**
 * A vrrp_instance with announce_table, in namespaces: two vigil routers running VRRP between them (r1 priority 150,
 * r2 priority 100), each with its speaker (BIRD 2, or FRR's zebra + bgpd) exporting table 100 to an upstream
 * BIRD 2 (hold time 3 s). Only the MASTER announces the VIP: the upstream has it via r1 alone; `kill -9` of r1's
 * vigil (its TUN device, and the route through it, gone with it) makes r2 MASTER, and the upstream's route moves
 * to r2 alone; r1's vigil started again preempts, and the route moves back; r1 stopped (SIGTERM: priority 0 sent,
 * its route withdrawn at stop) hands it to r2 again. The same with an IPv6 instance (VRRPv3, fd77::100) and BIRD's
 * ipv6 channel over IPv6 sessions. The times are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { frrBgpd, frrZebra, startBird, startFrr, type Speaker, BIRD_NEEDS, FRR_NEEDS } from './bgp-speakers.js';
import { birdDirectorOf, birdNextHops, birdUpstreamOf, type Family } from './announce-peers.js';
import { requireRealNetwork } from './helpers.js';
import { cleanupDir, startDaemon, vigilStatus, type Daemon } from '../daemon/daemons.js';

/** The instance's address, its prefix length on the interface (see the FRR test), and the family of it all. */
interface Plan {
  readonly family: Family;
  readonly vip: string;
  readonly prefix: number;
}
const V4 = (prefix: number): Plan => ({ family: 'ipv4', vip: '192.168.77.100', prefix });
const V6: Plan = { family: 'ipv6', vip: 'fd77::100', prefix: 64 };
const TABLE = 100;
const TIMERS = { hold: 3, keepalive: 1 };
const WAIT_MS = 60_000;

const vigilConfig = (name: string, priority: number, plan: Plan): string => `global_defs {
  router_id ${name}
  vrrp_version ${plan.family === 'ipv6' ? 3 : 2}
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 77
  priority ${priority}
  advert_int 1
  announce_table ${TABLE}
  virtual_ipaddress {
    ${plan.vip}/${plan.prefix}
  }
}
`;

interface Announced {
  readonly vip: string;
  readonly table: number;
  readonly announced: boolean;
}

/** A router's speaker, exporting table TABLE to the upstream as AS `asn`. */
type RouterSpeaker = (lan: Lan, router: LanHost, up: LanHost, asn: number, family: Family) => Promise<Speaker>;

const addressOf = (host: LanHost, family: Family): string => (family === 'ipv6' ? host.ipv6! : host.ipv4);

async function scenario(t: { diagnostic(s: string): void }, name: string, speaker: RouterSpeaker, plan: Plan): Promise<void> {
  const VIP = plan.vip;
  const lan = await createLan({ name, hosts: ['up', 'r1', 'r2'], v4Prefix: '192.168.77.X', v4Start: 21, v4PrefixLength: 24, v6Prefix: 'fd77::X', v6PrefixLength: 64 });
  const addr = (host: LanHost): string => addressOf(host, plan.family);
  const up = lan.host('up');
  const routers = [lan.host('r1'), lan.host('r2')] as [LanHost, LanHost];
  const speakers: Speaker[] = [];
  const vigils: Daemon[] = [];
  let upstreamLog = (): string => '';
  const logs = (): string => `\n--- upstream:\n${upstreamLog()}\n${vigils.map((v) => `--- vigil ${v.host.name}:\n${v.log().slice(-3000)}`).join('\n')}\n${speakers.slice(1).map((s) => `--- router speaker:\n${s.log().slice(-2000)}`).join('\n')}`;
  try {
    const self = { address: addr(up), asn: 65000 };
    const peers = routers.map((r, i) => ({ address: addr(r), asn: 65001 + i }));
    const upstream = await startBird(lan, up.ns, 'up', birdUpstreamOf(up.ipv4, self, peers, plan.family, TIMERS));
    upstreamLog = upstream.log;
    speakers.push(upstream);
    for (const [i, r] of routers.entries()) speakers.push(await speaker(lan, r, up, peers[i]!.asn, plan.family));
    const [v1, v2] = [startDaemon(lan, routers[0], 'vigil', vigilConfig('r1', 150, plan)), startDaemon(lan, routers[1], 'vigil', vigilConfig('r2', 100, plan))];
    vigils.push(v1, v2);

    const nextHops = (): Promise<string[]> => birdNextHops(lan, up.ns, upstream.ctl, `${VIP}/${plan.family === 'ipv6' ? 128 : 32}`);
    const until = async (want: readonly string[], what: string): Promise<number> => {
      const t0 = performance.now();
      let seen: string[] = [];
      while ((seen = await nextHops()).join() !== want.join()) {
        if (performance.now() - t0 > WAIT_MS) assert.fail(`${what}: the upstream has ${VIP} via [${seen.join(', ')}], not [${want.join(', ')}]${logs()}`);
        await delay(50);
      }
      return performance.now() - t0;
    };
    const state = async (d: Daemon): Promise<{ state: string | undefined; announced: Announced[] }> => {
      const s = (await vigilStatus(lan, d)) as unknown as { instances: { name: string; state: string }[]; announced?: Announced[] };
      return { state: s.instances.find((i) => i.name === 'VI_1')?.state, announced: (s.announced ?? []).map(({ vip, table, announced }) => ({ vip, table, announced })) };
    };

    const first = await until([addr(routers[0])], 'r1 MASTER');
    t.diagnostic(`${name}: the upstream has ${VIP} via r1 alone ${first.toFixed(0)} ms after the vigils started`);
    // r2 is BACKUP by now (it saw r1's adverts, or it would have become MASTER too): it announces nothing.
    assert.deepEqual(await state(v1), { state: 'MASTER', announced: [{ vip: VIP, table: TABLE, announced: true }] });
    assert.deepEqual(await state(v2), { state: 'BACKUP', announced: [{ vip: VIP, table: TABLE, announced: false }] });
    // And it stays so: a few advertisement intervals later, still r1 alone.
    await delay(3000);
    assert.deepEqual(await nextHops(), [addr(routers[0])], `still r1 alone${logs()}`);

    v1.kill('SIGKILL');
    await v1.exited();
    const moved = await until([addr(routers[1])], 'after kill -9 of r1 (MASTER)');
    t.diagnostic(`${name}: the upstream's route moved to r2 ${moved.toFixed(0)} ms after kill -9 of r1's vigil (master down interval ~3 s)`);
    assert.deepEqual(await state(v2), { state: 'MASTER', announced: [{ vip: VIP, table: TABLE, announced: true }] });

    // r1 back: it preempts (higher priority), announces, and r2, BACKUP again, withdraws.
    v1.restart();
    const back = await until([addr(routers[0])], 'r1 started again (preempts)');
    t.diagnostic(`${name}: the route moved back to r1 ${back.toFixed(0)} ms after its vigil started again`);
    assert.deepEqual(await state(v2), { state: 'BACKUP', announced: [{ vip: VIP, table: TABLE, announced: false }] });

    // r1 stopped: it withdraws at stop and sends priority 0, r2 takes over.
    v1.kill('SIGTERM');
    await v1.exited(30_000);
    const handed = await until([addr(routers[1])], 'r1 stopped (SIGTERM)');
    t.diagnostic(`${name}: the route moved to r2 ${handed.toFixed(0)} ms after r1's vigil stopped`);
  } finally {
    for (const v of vigils) v.kill('SIGKILL');
    for (const s of speakers) await s.stop();
    await lan.cleanup();
    for (const v of vigils) cleanupDir(v);
  }
}

const birdRouter: RouterSpeaker = (lan, r, up, asn, family) =>
  startBird(lan, r.ns, r.name, birdDirectorOf(r.ipv4, { address: addressOf(r, family), asn }, { address: addressOf(up, family), asn: 65000 }, TABLE, family, TIMERS));

test('vrrp_instance with announce_table, BIRD 2 on the routers: only the MASTER reaches the upstream; the route follows failover, preemption and stop', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS)) return;
  await scenario(t, 'ecmpmorevrb', birdRouter, V4(32));
});

// zebra makes a connected route of every interface address: a VIP added as /32 would be a connected
// 192.168.77.100/32 (distance 0) that hides the imported table route (distance 15) from `redistribute table`, which
// redistributes only the best route of a prefix. With the subnet's prefix length the connected route is the /24.
test('vrrp_instance with announce_table, FRR on the routers (ip import-table, redistribute table; the VIP as /24): the same', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS, ...FRR_NEEDS)) return;
  await scenario(t, 'ecmpmorevrf', (lan, r, up, asn) => startFrr(lan, r.ns, frrZebra(TABLE), frrBgpd(r, up, TABLE, asn)), V4(24));
});

test('an IPv6 vrrp_instance (VRRPv3) with announce_table, BIRD 2 (ipv6 channel) on the routers: the /128 follows the MASTER', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, ...BIRD_NEEDS)) return;
  await scenario(t, 'ecmpmorevr6', birdRouter, V6);
});
