import { test } from 'node:test';
import assert from 'node:assert/strict';
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
