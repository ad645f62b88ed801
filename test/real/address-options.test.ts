/**
 * The per-address options of virtual_ipaddress / static_ipaddress reach the kernel as keepalived 2.2.7 sends them
 * (vrrp_ipaddress.c netlink_ipaddress): IFA_FLAGS (home, mngtmpaddr, noprefixroute, autojoin, and nodad on every
 * IPv6 address unless -nodad), IFA_CACHEINFO with the preferred lifetime (IPv6), IFA_ADDRESS as the peer. Read
 * back with `ip -j addr`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLan, type Lan } from '../netns/harness.js';
import { startAgent } from './agent-client.js';
import { requireRealNetwork } from './helpers.js';

interface IpAddrInfo {
  family: string;
  local: string;
  address?: string;
  prefixlen: number;
  home?: boolean;
  mngtmpaddr?: boolean;
  noprefixroute?: boolean;
  autojoin?: boolean;
  nodad?: boolean;
  deprecated?: boolean;
  preferred_life_time?: number;
  valid_life_time?: number;
}

const FOREVER = 4294967295;

async function kernelAddress(lan: Lan, ns: string, local: string): Promise<IpAddrInfo | undefined> {
  const out = JSON.parse((await lan.exec(ns, ['ip', '-j', 'addr', 'show', 'dev', 'eth0'])).stdout) as Array<{ addr_info: IpAddrInfo[] }>;
  return out[0]?.addr_info.find((a) => a.local === local);
}

test('address options in a namespace: flags, lifetimes and peer as written', { timeout: 30_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'addropt', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 80, v4PrefixLength: 26 });
  const a = lan.host('a');
  const agent = await startAgent(lan, a.ns);
  try {
    await agent.call('amOpen');

    await t.test('IPv6 flags: home, mngtmpaddr, noprefixroute; nodad unless dad is asked for', async () => {
      await agent.call('amAdd', { address: 'fd77::1:1', prefix: 64, interface: 'eth0', family: 6, flags: { home: true, mngtmpaddr: true, noprefixroute: true } });
      const one = await kernelAddress(lan, a.ns, 'fd77::1:1');
      assert.deepEqual([one?.home, one?.mngtmpaddr, one?.noprefixroute, one?.nodad], [true, true, true, true]);
      assert.equal(one?.preferred_life_time, FOREVER);
      await agent.call('amAdd', { address: 'fd77::1:2', prefix: 64, interface: 'eth0', family: 6, dad: true });
      const two = await kernelAddress(lan, a.ns, 'fd77::1:2');
      assert.equal(two?.nodad, undefined);
      assert.equal(two?.home, undefined);
    });

    await t.test('noprefixroute: no route for the prefix is made', async () => {
      const routes = (await lan.exec(a.ns, ['ip', '-6', 'route', 'show', 'fd77::/64'])).stdout;
      // fd77::1:2 has no noprefixroute, so the prefix route exists; remove it and add another address with the flag.
      assert.match(routes, /fd77::\/64/);
      await agent.call('amAdd', { address: 'fd77::2:1', prefix: 112, interface: 'eth0', family: 6, flags: { noprefixroute: true } });
      assert.equal((await lan.exec(a.ns, ['ip', '-6', 'route', 'show', 'fd77::2:0/112'])).stdout.trim(), '');
    });

    await t.test('preferred lifetime: 0 makes the address deprecated, a number is kept, valid stays forever', async () => {
      await agent.call('amAdd', { address: 'fd77::3:10', prefix: 128, interface: 'eth0', family: 6, preferredLifetime: 0 });
      const zero = await kernelAddress(lan, a.ns, 'fd77::3:10');
      assert.equal(zero?.deprecated, true);
      assert.equal(zero?.preferred_life_time, 0);
      assert.equal(zero?.valid_life_time, FOREVER);
      await agent.call('amAdd', { address: 'fd77::3:11', prefix: 128, interface: 'eth0', family: 6, preferredLifetime: 3600 });
      const hour = await kernelAddress(lan, a.ns, 'fd77::3:11');
      assert.ok(hour !== undefined && hour.preferred_life_time! > 3500 && hour.preferred_life_time! <= 3600, JSON.stringify(hour));
      assert.equal(hour?.valid_life_time, FOREVER);
    });

    await t.test('autojoin on a multicast address', async () => {
      await agent.call('amAdd', { address: 'ff15::77', prefix: 128, interface: 'eth0', family: 6, flags: { autojoin: true } });
      assert.equal((await kernelAddress(lan, a.ns, 'ff15::77'))?.autojoin, true);
    });

    await t.test('peer: IFA_ADDRESS is the peer, and the address is removed again', async () => {
      const v4 = { address: '192.168.77.129', prefix: 32, interface: 'eth0', family: 4, peer: '192.168.77.130' };
      await agent.call('amAdd', v4);
      const got = await kernelAddress(lan, a.ns, '192.168.77.129');
      assert.deepEqual([got?.address, got?.prefixlen], ['192.168.77.130', 32]);
      const v6 = { address: 'fd77::4:20', prefix: 128, interface: 'eth0', family: 6, peer: 'fd77::4:21' };
      await agent.call('amAdd', v6);
      assert.equal((await kernelAddress(lan, a.ns, 'fd77::4:20'))?.address, 'fd77::4:21');
      await agent.call('amRemove', v4);
      await agent.call('amRemove', v6);
      assert.equal(await kernelAddress(lan, a.ns, '192.168.77.129'), undefined);
      assert.equal(await kernelAddress(lan, a.ns, 'fd77::4:20'), undefined);
    });

    await t.test('an address with options is removed like any other', async () => {
      for (const address of ['fd77::1:1', 'fd77::3:10', 'ff15::77']) {
        await agent.call('amRemove', { address, prefix: address === 'fd77::1:1' ? 64 : 128, interface: 'eth0', family: 6 });
        assert.equal(await kernelAddress(lan, a.ns, address), undefined, address);
      }
    });
  } finally {
    await agent.stop();
    await lan.cleanup();
  }
});
