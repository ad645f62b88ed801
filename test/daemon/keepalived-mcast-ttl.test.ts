/**
 * The multicast group and TTL keywords on the wire against Debian's keepalived 2.2.7 (issue 12): a pair on a
 * non-default group (mcast_dst_ip, vrrp_mcast_group4/6) elects one master and nothing goes to 224.0.0.18 /
 * ff02::12; unicast_ttl is the TTL tcpdump sees; a peer's min_ttl / max_ttl drops what arrives outside its range
 * (on either side: two masters); check_unicast_src drops a stranger that is heard without it;
 * unicast_fault_no_peer holds an instance without peers in FAULT on both; and the address-list check of 2.2.7
 * (a differing VIP list is dropped) with skip_check_adv_addr sparing the master already heard.
 */
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { commandAvailable, type Lan, type LanHost } from '../netns/harness.js';
import { interopLan } from './interop-lan.js';
import { requireRealNetwork } from '../real/helpers.js';
import { canonicalIp } from '../../protocol/ip.js';
import { capture, type Capture } from '../contract/pcap-capture.js';
import { eventually, holders, startDaemon, vigilStatus, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

interface World {
  readonly lan: Lan;
  readonly v: LanHost;
  readonly k: LanHost;
  readonly vip: (family: 4 | 6) => string;
  /**
   * Starts a daemon; it is killed and its directory removed at the end. vigil is waited for until its status
   * socket answers (starting node under load can take longer than an election), so the elections the cells time
   * start with both daemons running.
   */
  start(host: LanHost, kind: 'vigil' | 'keepalived', config: string): Promise<Daemon>;
  /** Which of v and k hold the VIP of `family`. */
  who(family?: 4 | 6): Promise<string[]>;
  describe(): Promise<string>;
  /** tcpdump on k's eth0; stopped at the end. */
  capture(filter: string): Promise<Capture>;
}

interface Cell {
  readonly name: string;
  run(w: World): Promise<void>;
}

async function inWorld(index: number, cell: Cell): Promise<void> {
  const lan = await interopLan(`mcastttl${index}`);
  const daemons: Daemon[] = [];
  const captures: Capture[] = [];
  const v = lan.host('v');
  const k = lan.host('k');
  const vip = (family: 4 | 6): string => (family === 4 ? '192.168.77.250' : 'fd77::c0:250');
  const world: World = {
    lan,
    v,
    k,
    vip,
    async start(host, kind, config) {
      const d = startDaemon(lan, host, kind, config);
      daemons.push(d);
      if (kind === 'vigil') await eventually(async () => (await vigilStatus(lan, d).catch(() => undefined)) !== undefined, LONG, () => world.describe());
      return d;
    },
    who: (family = 4) => holders(lan, [v, k], vip(family)),
    async describe() {
      const logs = daemons.map((d) => `--- ${d.kind} on ${d.host.name}:\n${d.log().slice(-2500)}`).join('\n');
      return `${cell.name}: holders ${JSON.stringify(await world.who())} / ${JSON.stringify(await world.who(6))}\n${logs}`;
    },
    async capture(filter) {
      const c = await capture(lan, k.ns, 'eth0', filter);
      captures.push(c);
      return c;
    },
  };
  try {
    await cell.run(world);
  } finally {
    for (const c of captures) c.stop();
    await stopDaemons(lan, daemons);
  }
}

const VRID = 71;
/**
 * How long a wait may take before it fails: elections need seconds, but `vigil status` starts a node process per
 * look and, on a loaded machine, a daemon can take a while to start. The cells assert what happens, not how fast.
 */
const LONG = 60_000;

/** One instance; `vip` with its prefix; `extra` inside the block, `globals` inside global_defs. */
function conf(o: { name: string; priority: number; family: 4 | 6; version?: 2 | 3; unicast?: { src: string; peers: readonly string[] }; extra?: string; globals?: string; vips?: string }): string {
  const text = vrrpConfig({
    name: o.name,
    vrid: VRID,
    priority: o.priority,
    version: o.version ?? 3,
    vip: o.vips ?? (o.family === 4 ? '192.168.77.250/26' : 'fd77::c0:250/112'),
    ...(o.unicast ? { unicastSrc: o.unicast.src, unicastPeers: o.unicast.peers } : {}),
    ...(o.extra !== undefined ? { extra: o.extra } : {}),
  });
  return o.globals ? text.replace('global_defs {\n', `global_defs {\n  ${o.globals}\n`) : text;
}

/** vigil's VI_1 through its status socket (undefined while it does not answer yet). */
async function vigilInstance(w: World, d: Daemon): Promise<{ state: string; counters: { adverts_sent: number; adverts_received: number; drops: Record<string, number> } } | undefined> {
  return (await vigilStatus(w.lan, d).catch(() => undefined))?.instances.find((i) => i.name === 'VI_1');
}

/** Waits until `d` has sent (as master) or received (as backup) `n` more advertisements, then returns. */
async function advertsPass(w: World, d: Daemon, what: 'adverts_sent' | 'adverts_received', n = 5): Promise<void> {
  const count = async (): Promise<number> => (await vigilInstance(w, d))?.counters[what] ?? 0;
  const from = await count();
  await eventually(async () => (await count()) >= from + n, LONG, () => w.describe());
}

async function alone(w: World, host: LanHost, family: 4 | 6 = 4): Promise<void> {
  await eventually(async () => JSON.stringify(await w.who(family)) === JSON.stringify([host.name]), LONG, () => w.describe());
}

/** IPv4 TTL / IPv6 hop limit and destination of captured Ethernet frames. */
function ipOf(frame: Uint8Array): { ttl: number; destination: string; family: 4 | 6 } {
  const ip = frame.subarray(14);
  if (ip[0]! >> 4 === 4) return { family: 4, ttl: ip[8]!, destination: [...ip.subarray(16, 20)].join('.') };
  const groups: string[] = [];
  for (let i = 24; i < 40; i += 2) groups.push(((ip[i]! << 8) | ip[i + 1]!).toString(16));
  const text = groups.join(':');
  return { family: 6, ttl: ip[7]!, destination: canonicalIp(text) ?? text };
}

const CELLS: Cell[] = [];

// A pair on a non-default group: vigil through global_defs vrrp_mcast_group4/6, keepalived through mcast_dst_ip.
for (const [family, vigilHigher] of [[4, true], [4, false], [6, true]] as const) {
  CELLS.push({
    name: `multicast group IPv${family}, ${vigilHigher ? 'vigil' : 'keepalived'} higher`,
    async run(w) {
      const group = family === 4 ? '224.0.0.88' : 'ff02::1:88';
      const globals = family === 4 ? `vrrp_mcast_group4 ${group}` : `vrrp_mcast_group6 ${group}`;
      const frames = await w.capture(family === 4 ? 'ip proto 112' : 'ip6 proto 112');
      const [vp, kp] = vigilHigher ? [150, 100] : [100, 150];
      const dv = await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: vp, family, globals }));
      await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: kp, family, extra: `mcast_dst_ip ${group}` }));
      await alone(w, vigilHigher ? w.v : w.k, family);
      await advertsPass(w, dv, vigilHigher ? 'adverts_sent' : 'adverts_received');
      assert.deepEqual(await w.who(family), [vigilHigher ? 'v' : 'k'], await w.describe());
      const seen = frames.frames.map(ipOf);
      assert.ok(seen.length >= 5, await w.describe());
      assert.deepEqual([...new Set(seen.map((p) => `${p.destination} ${p.ttl}`))], [`${group} 255`], 'every advertisement to the group, TTL 255');
    },
  });
}

// unicast_ttl as tcpdump sees it, and a peer's TTL range accepting it: one master.
CELLS.push({
  name: 'unicast_ttl 7 from vigil, inside keepalived\'s min_ttl 7 max_ttl 7: vigil master alone',
  async run(w) {
    const frames = await w.capture(`ip proto 112 and src host ${w.v.ipv4}`);
    const dv = await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: 150, family: 4, unicast: { src: w.v.ipv4, peers: [w.k.ipv4] }, extra: 'unicast_ttl 7' }));
    await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 100, family: 4, unicast: { src: w.k.ipv4, peers: [`${w.v.ipv4} min_ttl 7 max_ttl 7`] } }));
    await alone(w, w.v);
    await advertsPass(w, dv, 'adverts_sent');
    assert.deepEqual(await w.who(), ['v'], await w.describe());
    const ttls = new Set(frames.frames.map((f) => ipOf(f).ttl));
    assert.deepEqual([...ttls], [7], 'vigil sends with unicast_ttl');
  },
});
CELLS.push({
  name: 'unicast_ttl 0 from vigil (IP_HDRINCL), inside keepalived\'s max_ttl 0: vigil master alone',
  async run(w) {
    const frames = await w.capture(`ip proto 112 and src host ${w.v.ipv4}`);
    const dv = await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: 150, family: 4, unicast: { src: w.v.ipv4, peers: [w.k.ipv4] }, extra: 'unicast_ttl 0' }));
    await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 100, family: 4, unicast: { src: w.k.ipv4, peers: [`${w.v.ipv4} max_ttl 0`] } }));
    await alone(w, w.v);
    await advertsPass(w, dv, 'adverts_sent');
    assert.deepEqual(await w.who(), ['v'], await w.describe());
    assert.deepEqual([...new Set(frames.frames.map((f) => ipOf(f).ttl))], [0]);
  },
});
CELLS.push({
  name: 'unicast_ttl 9 from keepalived, inside vigil\'s min_ttl 9 max_ttl 9: keepalived master alone',
  async run(w) {
    const frames = await w.capture(`ip proto 112 and src host ${w.k.ipv4}`);
    const dv = await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: 100, family: 4, unicast: { src: w.v.ipv4, peers: [`${w.k.ipv4} min_ttl 9 max_ttl 9`] } }));
    await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 150, family: 4, unicast: { src: w.k.ipv4, peers: [w.v.ipv4] }, extra: 'unicast_ttl 9' }));
    await alone(w, w.k);
    await advertsPass(w, dv, 'adverts_received');
    assert.deepEqual(await w.who(), ['k'], await w.describe());
    assert.deepEqual([...new Set(frames.frames.map((f) => ipOf(f).ttl))], [9], 'keepalived sends with unicast_ttl');
  },
});
CELLS.push({
  name: 'unicast_ttl 9 from keepalived, below vigil\'s min_ttl 10: dropped as ttl, both master',
  async run(w) {
    const dv = await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: 100, family: 4, unicast: { src: w.v.ipv4, peers: [`${w.k.ipv4} min_ttl 10`] } }));
    await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 150, family: 4, unicast: { src: w.k.ipv4, peers: [w.v.ipv4] }, extra: 'unicast_ttl 9' }));
    await eventually(async () => (await w.who()).length === 2, LONG, () => w.describe());
    await eventually(async () => ((await vigilInstance(w, dv))?.counters.drops['ttl'] ?? 0) >= 5, LONG, () => w.describe());
    assert.equal((await w.who()).length, 2, await w.describe());
  },
});
CELLS.push({
  name: 'unicast_ttl 7 from vigil, above keepalived\'s max_ttl 6: keepalived drops it, both master',
  async run(w) {
    await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: 150, family: 4, unicast: { src: w.v.ipv4, peers: [w.k.ipv4] }, extra: 'unicast_ttl 7' }));
    const dk = await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 100, family: 4, unicast: { src: w.k.ipv4, peers: [`${w.v.ipv4} max_ttl 6`] } }));
    await eventually(async () => (await w.who()).length === 2, LONG, () => w.describe());
    assert.match(dk.log(), /TTL\/HL 7 not in range 0 - 6/, await w.describe());
  },
});

// check_unicast_src: keepalived (200) advertises to vigil, which does not list it as a peer.
for (const check of [false, true]) {
  CELLS.push({
    name: `a stranger's unicast advertisements ${check ? 'dropped with check_unicast_src' : 'heard without check_unicast_src'}`,
    async run(w) {
      const elsewhere = '192.168.77.240';
      const dv = await w.start(
        w.v,
        'vigil',
        conf({ name: 'vigil', priority: 100, family: 4, unicast: { src: w.v.ipv4, peers: [elsewhere] }, ...(check ? { extra: 'check_unicast_src' } : {}) }),
      );
      await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 200, family: 4, unicast: { src: w.k.ipv4, peers: [w.v.ipv4] } }));
      if (check) {
        await eventually(async () => (await w.who()).length === 2, LONG, () => w.describe());
        await eventually(async () => ((await vigilInstance(w, dv))?.counters.drops['unicast_peer'] ?? 0) >= 5, LONG, () => w.describe());
        assert.equal((await w.who()).length, 2, await w.describe());
      } else {
        await alone(w, w.k);
        await advertsPass(w, dv, 'adverts_received');
        assert.deepEqual(await w.who(), ['k'], await w.describe());
      }
    },
  });
}

CELLS.push({
  name: 'unicast_fault_no_peer without peers: FAULT on both, nobody holds the VIP',
  async run(w) {
    const dv = await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: 150, family: 4, extra: 'unicast_fault_no_peer' }));
    const dk = await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 100, family: 4, extra: 'unicast_fault_no_peer' }));
    await eventually(async () => (await vigilInstance(w, dv))?.state === 'FAULT', LONG, () => w.describe());
    await eventually(async () => /Cannot use unicast without any peers - going to fault state/.test(dk.log()), LONG, () => w.describe());
    // Longer than a Master_Down_Interval: neither ever becomes master.
    await new Promise((r) => setTimeout(r, 5000));
    assert.deepEqual(await w.who(), [], await w.describe());
    assert.equal((await vigilInstance(w, dv))?.state, 'FAULT');
    assert.doesNotMatch(dk.log(), /Entering MASTER STATE/, await w.describe());
  },
});

// keepalived 2.2.7's address-list check: a VIP list that differs is dropped on both sides (two masters)...
CELLS.push({
  name: 'a differing VIP list: dropped and counted by both (keepalived 2.2.7), both master',
  async run(w) {
    const dv = await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: 100, family: 4 }));
    const dk = await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 150, family: 4, vips: '192.168.77.250/26\n    192.168.77.251/26' }));
    await eventually(async () => (await w.who()).length === 2, LONG, () => w.describe());
    // keepalived 2.2.7 as master sends nothing while it keeps hearing advertisements it drops (seen on the wire, as
    // with a wrong AH password): vigil may count only the first one or two of its drops; keepalived counts vigil's.
    await eventually(async () => ((await vigilInstance(w, dv))?.counters.drops['address_list'] ?? 0) >= 1, LONG, () => w.describe());
    // Still both after more than a Master_Down_Interval: five more of vigil's advertisements, five refused by keepalived.
    await advertsPass(w, dv, 'adverts_sent');
    await eventually(async () => (dk.log().match(/received an unexpected ip number count/g) ?? []).length >= 5, LONG, () => w.describe());
    assert.equal((await w.who()).length, 2, await w.describe());
  },
});
// ...unless skip_check_adv_addr: a BACKUP that heard its master with the same list keeps hearing it once the
// master's list changes (keepalived reloaded with one VIP more).
for (const skip of [true, false]) {
  CELLS.push({
    name: `the master's VIP list changes: ${skip ? 'with skip_check_adv_addr vigil stays backup' : 'without it vigil drops and becomes master'}`,
    async run(w) {
      const dv = await w.start(w.v, 'vigil', conf({ name: 'vigil', priority: 100, family: 4, ...(skip ? { extra: 'skip_check_adv_addr' } : {}) }));
      const dk = await w.start(w.k, 'keepalived', conf({ name: 'keepalived', priority: 150, family: 4 }));
      await alone(w, w.k);
      await advertsPass(w, dv, 'adverts_received', 3);
      writeFileSync(dk.conf, conf({ name: 'keepalived', priority: 150, family: 4, vips: '192.168.77.250/26\n    192.168.77.251/26' }));
      dk.proc.kill('SIGHUP');
      if (skip) {
        await eventually(async () => (await holders(w.lan, [w.k], '192.168.77.251')).length === 1, LONG, () => w.describe());
        await advertsPass(w, dv, 'adverts_received');
        assert.deepEqual(await w.who(), ['k'], await w.describe());
        assert.equal((await vigilInstance(w, dv))?.counters.drops['address_list'] ?? 0, 0);
      } else {
        await eventually(async () => (await w.who()).length === 2, LONG, () => w.describe());
        assert.ok(((await vigilInstance(w, dv))?.counters.drops['address_list'] ?? 0) > 0, await w.describe());
      }
    },
  });
}

test(`multicast group and TTL keywords against keepalived 2.2.7 (${CELLS.length} cells)`, { timeout: 900_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'), () => commandAvailable('tcpdump'))) return;
  const only = process.env['VIGIL_CELL'];
  const queue = CELLS.map((cell, i) => ({ cell, i })).filter(({ cell }) => only === undefined || cell.name.includes(only));
  const failures: string[] = [];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await inWorld(next.i, next.cell);
      } catch (err) {
        failures.push(`${next.cell.name}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(failures, []);
});
