import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLan, type Lan } from '../netns/harness.js';
import { startAgent } from './agent-client.js';
import { requireRealNetwork } from './helpers.js';

interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
  scope: string;
  label?: string;
  broadcast?: string;
  tentative?: boolean;
  secondary?: boolean;
}

async function kernelAddresses(lan: Lan, ns: string, dev: string): Promise<IpAddrInfo[]> {
  const out = JSON.parse((await lan.exec(ns, ['ip', '-j', 'addr', 'show', 'dev', dev])).stdout) as Array<{ addr_info: IpAddrInfo[] }>;
  return out[0]?.addr_info ?? [];
}

test('NetlinkAddressManager in a namespace', { timeout: 30_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'addr', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 80, v4PrefixLength: 26 });
  const a = lan.host('a');
  const agent = await startAgent(lan, a.ns);
  try {
    await agent.call('amOpen');

    await t.test('primary addresses come from the cache: IPv4 first non-secondary, IPv6 link-local', async () => {
      assert.equal(await agent.call('amPrimary', { interface: 'eth0', family: 4 }), a.ipv4);
      assert.equal(await agent.call('amPrimary', { interface: 'eth0', family: 6 }), a.ipv6LinkLocal);
      assert.equal(await agent.call('amPrimary', { interface: 'nonexistent0', family: 4 }), null);
      assert.equal(await agent.call('amIsUp', { interface: 'eth0' }), true);
    });

    await t.test('add an IPv4 VIP, idempotent; visible in ip addr and in the cache; primary unchanged', async () => {
      const vip = { address: '192.168.77.100', prefix: 32, interface: 'eth0', family: 4 };
      await agent.call('amAdd', vip);
      await agent.call('amAdd', vip); // already there: not an error
      const kernel = await kernelAddresses(lan, a.ns, 'eth0');
      assert.equal(kernel.filter((x) => x.local === '192.168.77.100' && x.prefixlen === 32).length, 1);
      await agent.waitFor((e) => e.event === 'address' && e['kind'] === 'added' && e['address'] === '192.168.77.100');
      const listed = await agent.call<Array<{ address: string }>>('amList', { interface: 'eth0' });
      assert.ok(listed.some((x) => x.address === '192.168.77.100'));
      assert.equal(await agent.call('amPrimary', { interface: 'eth0', family: 4 }), a.ipv4);
    });

    await t.test('label, broadcast (+) and scope host as keepalived.conf writes them', async () => {
      await agent.call('amAdd', { address: '192.168.77.101', prefix: 26, interface: 'eth0', family: 4, label: 'eth0:vip', broadcast: '+' });
      await agent.call('amAdd', { address: '192.168.77.102', prefix: 32, interface: 'eth0', family: 4, scope: 'host' });
      const kernel = await kernelAddresses(lan, a.ns, 'eth0');
      const labelled = kernel.find((x) => x.local === '192.168.77.101');
      assert.equal(labelled?.label, 'eth0:vip');
      assert.equal(labelled?.broadcast, '192.168.77.127');
      assert.equal(labelled?.secondary, true); // same subnet as the primary
      assert.equal(kernel.find((x) => x.local === '192.168.77.102')?.scope, 'host');
    });

    await t.test('IPv6 VIP is added without DAD (never tentative)', async () => {
      await lan.exec(a.ns, ['sysctl', '-q', '-w', 'net.ipv6.conf.eth0.accept_dad=1']);
      const vip = { address: 'fd77::64:100', prefix: 128, interface: 'eth0', family: 6 };
      await agent.call('amAdd', vip);
      await agent.call('amAdd', vip);
      const entry = (await kernelAddresses(lan, a.ns, 'eth0')).find((x) => x.local === 'fd77::64:100');
      assert.equal(entry?.prefixlen, 128);
      assert.notEqual(entry?.tentative, true);
      assert.equal(await agent.call('amPrimary', { interface: 'eth0', family: 6 }), a.ipv6LinkLocal);
    });

    await t.test('remove, idempotent', async () => {
      for (const x of [
        { address: '192.168.77.100', prefix: 32, interface: 'eth0', family: 4 },
        { address: '192.168.77.101', prefix: 26, interface: 'eth0', family: 4 },
        { address: '192.168.77.102', prefix: 32, interface: 'eth0', family: 4 },
        { address: 'fd77::64:100', prefix: 128, interface: 'eth0', family: 6 },
      ]) {
        await agent.call('amRemove', x);
        await agent.call('amRemove', x); // already gone: not an error
      }
      const kernel = await kernelAddresses(lan, a.ns, 'eth0');
      assert.deepEqual(kernel.filter((x) => ['192.168.77.100', '192.168.77.101', '192.168.77.102', 'fd77::64:100'].includes(x.local)), []);
      await agent.waitFor((e) => e.event === 'address' && e['kind'] === 'removed' && e['address'] === 'fd77::64:100');
      const listed = await agent.call<Array<{ address: string }>>('amList', { interface: 'eth0' });
      assert.equal(listed.some((x) => x.address === '192.168.77.100'), false);
    });

    await t.test('primary follows the kernel when the primary address is removed (promoted secondary)', async () => {
      await lan.exec(a.ns, ['sysctl', '-q', '-w', 'net.ipv4.conf.eth0.promote_secondaries=1']);
      await lan.exec(a.ns, ['ip', 'addr', 'add', '192.168.77.103/26', 'dev', 'eth0']);
      await lan.exec(a.ns, ['ip', 'addr', 'del', `${a.ipv4}/26`, 'dev', 'eth0']);
      await agent.waitFor((e) => e.event === 'address' && e['kind'] === 'removed' && e['address'] === a.ipv4);
      // The promotion arrives as a NEWADDR for .103 without the secondary flag; poll the cache through the agent.
      let primary: unknown;
      for (let i = 0; i < 50 && primary !== '192.168.77.103'; i++) primary = await agent.call('amPrimary', { interface: 'eth0', family: 4 });
      assert.equal(primary, '192.168.77.103');
      await lan.exec(a.ns, ['ip', 'addr', 'add', `${a.ipv4}/26`, 'dev', 'eth0']);
    });

    await t.test('link down and up are events, and isUp follows', async () => {
      const since = agent.events.length;
      await lan.exec(a.ns, ['ip', 'link', 'set', 'eth0', 'down']);
      await agent.waitFor((e) => e.event === 'link' && e['interface'] === 'eth0' && e['up'] === false, 5000, since);
      assert.equal(await agent.call('amIsUp', { interface: 'eth0' }), false);
      // linkbeat polling reads the same state from sysfs, now.
      assert.equal(await agent.call('amPollCarrier', { interface: 'eth0' }), false);
      const back = agent.events.length;
      await lan.exec(a.ns, ['ip', 'link', 'set', 'eth0', 'up']);
      await agent.waitFor((e) => e.event === 'link' && e['interface'] === 'eth0' && e['up'] === true, 5000, back);
      assert.equal(await agent.call('amIsUp', { interface: 'eth0' }), true);
      assert.equal(await agent.call('amPollCarrier', { interface: 'eth0' }), true);
      assert.equal(await agent.call('amPollCarrier', { interface: 'nonexistent0' }), false);
    });

    await t.test('carrier loss (peer end down) is a link-down event', async () => {
      const since = agent.events.length;
      await lan.exec(lan.bridgeNs, ['ip', 'link', 'set', 'p0', 'down']);
      await agent.waitFor((e) => e.event === 'link' && e['interface'] === 'eth0' && e['up'] === false, 5000, since);
      assert.equal(await agent.call('amIsUp', { interface: 'eth0' }), false);
      assert.equal(await agent.call('amPollCarrier', { interface: 'eth0' }), false, 'the carrier file says 0');
      const back = agent.events.length;
      await lan.exec(lan.bridgeNs, ['ip', 'link', 'set', 'p0', 'up']);
      await agent.waitFor((e) => e.event === 'link' && e['interface'] === 'eth0' && e['up'] === true, 5000, back);
      assert.equal(await agent.call('amPollCarrier', { interface: 'eth0' }), true);
    });

    await t.test('errors: unknown interface rejects with ENODEV', async () => {
      await assert.rejects(agent.call('amAdd', { address: '192.168.77.104', prefix: 32, interface: 'nope0', family: 4 }), { code: 'ENODEV' });
    });
  } finally {
    await agent.stop();
    await lan.cleanup();
  }
});

test('NetlinkAddressManager after lost notifications (ENOBUFS): the resync tells the link-down and the address it missed', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'nobufs', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 90, v4PrefixLength: 26 });
  const a = lan.host('a');
  const agent = await startAgent(lan, a.ns);
  const batch = join(mkdtempSync(join(tmpdir(), 'resilience-nobufs-')), 'burst');
  try {
    // A receive buffer the kernel rounds up to a few kB: a burst of link changes overruns it.
    await agent.call('amOpen', { recvBufferSize: 1024 });
    await lan.exec(a.ns, ['ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    await lan.exec(a.ns, ['ip', 'addr', 'add', '192.168.77.129/28', 'dev', 'v0']);
    await lan.exec(a.ns, ['ip', 'link', 'set', 'v1', 'up']);
    await lan.exec(a.ns, ['ip', 'link', 'set', 'v0', 'up']);
    await agent.waitFor((e) => e.event === 'link' && e['interface'] === 'v0' && e['up'] === true);
    assert.equal(await agent.call('amIsUp', { interface: 'v0' }), true);
    writeFileSync(batch, Array.from({ length: 40 }, (_, i) => `link add b${i} type veth peer name c${i}\n`).join(''));

    // While the agent's event loop is held, nothing is read: the burst fills the buffer, and what comes after it
    // (v0 down, its address removed) is lost.
    const since = agent.events.length;
    const held = agent.call('block', { ms: 3000 });
    await agent.waitFor((e) => e.event === 'blocking', 5000, since);
    await lan.exec(a.ns, ['ip', '-batch', batch]);
    await lan.exec(a.ns, ['ip', 'link', 'set', 'v0', 'down']);
    await lan.exec(a.ns, ['ip', 'addr', 'del', '192.168.77.129/28', 'dev', 'v0']);
    await held;

    const error = await agent.waitFor((e) => e.event === 'netlinkError', 10_000, since);
    assert.match(String(error['message']), /receive buffer overrun/);
    await agent.waitFor((e) => e.event === 'link' && e['interface'] === 'v0' && e['up'] === false, 10_000, since);
    await agent.waitFor((e) => e.event === 'address' && e['kind'] === 'removed' && e['address'] === '192.168.77.129', 10_000, since);
    assert.equal(await agent.call('amIsUp', { interface: 'v0' }), false);
    const stats = await agent.call<{ resyncs: number; socketErrors: Record<string, number>; interfaces: string[] }>('amStats');
    assert.ok(stats.resyncs >= 1, JSON.stringify(stats));
    assert.ok((stats.socketErrors['ENOBUFS'] ?? 0) >= 1, JSON.stringify(stats));
    // The cache holds every interface of the burst: the dump found them all.
    for (let i = 0; i < 40; i++) assert.ok(stats.interfaces.includes(`b${i}`), `b${i} missing from ${stats.interfaces.join(' ')}`);
  } finally {
    rmSync(dirname(batch), { recursive: true, force: true });
    await agent.stop();
    await lan.cleanup();
  }
});
