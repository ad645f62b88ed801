/**
 * Interfaces that go away under a running vigil (issue 13): eth0 deleted and created again (same name, a new
 * index) under a master, with and without use_vmac, and a VMAC deleted by hand. While the interface is gone the
 * instance is in FAULT and the peer takes over; once it is back the channel is bound to the new interface, the
 * VMAC is made again, advertisements flow both ways and exactly one host holds the VIP. Before, the raw socket
 * stayed bound to the dead index: a deaf master that held the VIP next to the peer's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLan, type Lan, type LanHost } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, vigilStatus, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.150';

/** Every address of every interface of a namespace, with the interface it is on. */
async function allAddresses(lan: Lan, host: LanHost): Promise<{ ifname: string; local: string }[]> {
  const { stdout } = await lan.exec(host.ns, ['ip', '-j', 'addr', 'show']);
  const links = JSON.parse(stdout) as { ifname: string; addr_info: { local: string }[] }[];
  return links.flatMap((l) => l.addr_info.map((a) => ({ ifname: l.ifname, local: a.local })));
}

async function linkNames(lan: Lan, host: LanHost): Promise<string[]> {
  const { stdout } = await lan.exec(host.ns, ['ip', '-j', 'link', 'show']);
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname);
}

interface Pair {
  readonly lan: Lan;
  readonly a: LanHost;
  readonly b: LanHost;
  readonly da: Daemon;
  readonly db: Daemon;
  /** The hosts holding the VIP now, on whatever interface. */
  holders(): Promise<string[]>;
  describe(): Promise<string>;
}

/**
 * a (priority 150, `aExtra` in its instance) and b (priority 100) share VRID 50; runs `body` once a holds the VIP
 * and b is BACKUP, and cleans up whatever happens.
 */
async function withPair(name: string, start: number, aExtra: string, body: (pair: Pair) => Promise<void>): Promise<void> {
  const lan = await createLan({ name, hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: start, v4PrefixLength: 26 });
  const [a, b] = [lan.host('a'), lan.host('b')];
  const daemons: Daemon[] = [];
  try {
    const da = startDaemon(lan, a, 'vigil', vrrpConfig({ name: 'a', vrid: 50, priority: 150, version: 3, vip: `${VIP}/26`, extra: aExtra }));
    const db = startDaemon(lan, b, 'vigil', vrrpConfig({ name: 'b', vrid: 50, priority: 100, version: 3, vip: `${VIP}/26` }));
    daemons.push(da, db);
    const holders = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const h of [a, b]) if ((await allAddresses(lan, h)).some((x) => x.local === VIP)) out.push(h.name);
      return out;
    };
    const describe = async (): Promise<string> => `holders ${JSON.stringify(await holders())}\n--- a:\n${da.log()}\n--- b:\n${db.log()}`;
    const pair: Pair = { lan, a, b, da, db, holders, describe };
    await eventually(async () => JSON.stringify(await holders()) === '["a"]' && (await vigilStatus(lan, db)).instances[0]?.state === 'BACKUP', 10_000, describe);
    await body(pair);
  } finally {
    await stopDaemons(lan, daemons);
  }
}

/**
 * a is MASTER and alone with the VIP, b BACKUP and hearing a: both still running, and b has heard five more of a's
 * advertisements (a can send on its interface and b trusts it: a is not deaf, b is not a second master).
 */
async function settledOnA(pair: Pair): Promise<void> {
  const { lan, da, db } = pair;
  await eventually(
    async () => JSON.stringify(await pair.holders()) === '["a"]' && (await vigilStatus(lan, da)).instances[0]?.state === 'MASTER',
    10_000,
    pair.describe,
  );
  const heard = (await vigilStatus(lan, db)).instances[0]!.counters.adverts_received;
  await eventually(async () => (await vigilStatus(lan, db)).instances[0]!.counters.adverts_received >= heard + 5, 10_000, pair.describe);
  assert.deepEqual(await pair.holders(), ['a'], await pair.describe());
  assert.equal((await vigilStatus(lan, db)).instances[0]!.state, 'BACKUP');
  assert.equal(da.proc.exitCode, null, 'a exited');
  assert.equal(db.proc.exitCode, null, 'b exited');
}

test('eth0 deleted and created again under a vigil master: FAULT while gone, then bound to the new eth0, one VIP holder', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  await withPair('ifre', 193, '', async (pair) => {
    const { lan, a, da } = pair;
    await lan.deleteInterface(a);
    // Its interface gone, a is in FAULT (keepalived: "Interface eth0 deleted", the instance down) and b takes over.
    await eventually(async () => (await vigilStatus(lan, da)).instances[0]?.state === 'FAULT', 10_000, pair.describe);
    await eventually(async () => JSON.stringify(await pair.holders()) === '["b"]', 10_000, pair.describe);
    await lan.createInterface(a);
    // a's channel is bound to the new eth0: it hears b, preempts it (priority 150), and b hears a.
    await settledOnA(pair);
    assert.match(da.log(), /eth0: VRRP channel lost its interface/);
    assert.match(da.log(), /eth0: VRRP channel bound again/);
  });
});

test('use_vmac: eth0 deleted takes the VMAC with it; once eth0 is back the VMAC is made again and a holds the VIP on it', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  await withPair('ifvm', 197, 'use_vmac vrrp.50', async (pair) => {
    const { lan, a, da } = pair;
    assert.ok((await allAddresses(lan, a)).some((x) => x.ifname === 'vrrp.50' && x.local === VIP), await pair.describe());
    await lan.deleteInterface(a);
    await eventually(async () => !(await linkNames(lan, a)).includes('vrrp.50'), 10_000, pair.describe);
    await eventually(async () => JSON.stringify(await pair.holders()) === '["b"]', 10_000, pair.describe);
    assert.equal((await vigilStatus(lan, da)).instances[0]?.state, 'FAULT');
    await lan.createInterface(a);
    await eventually(async () => (await linkNames(lan, a)).includes('vrrp.50'), 10_000, pair.describe);
    await settledOnA(pair);
    assert.ok((await allAddresses(lan, a)).some((x) => x.ifname === 'vrrp.50' && x.local === VIP), await pair.describe());
    assert.match(da.log(), /re-created VMAC interface vrrp\.50 on eth0/);

    // The VMAC alone deleted by hand: made again, and a is master on it again.
    await lan.exec(a.ns, ['ip', 'link', 'del', 'vrrp.50']);
    await eventually(async () => (da.log().match(/re-created VMAC interface vrrp\.50/g) ?? []).length >= 2, 10_000, pair.describe);
    await settledOnA(pair);
    assert.ok((await allAddresses(lan, a)).some((x) => x.ifname === 'vrrp.50' && x.local === VIP), await pair.describe());
  });
});
