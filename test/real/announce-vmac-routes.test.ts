import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan, type Lan } from '../netns/harness.js';
import { startAgent } from './agent-client.js';
import { requireRealNetwork } from './helpers.js';

/** Starts tcpdump in `ns`, waits until it listens, runs `action`, and returns the text of `count` packets. */
async function capture(lan: Lan, ns: string, filter: string, count: number, action: () => Promise<unknown>): Promise<string> {
  const child = lan.spawn(ns, ['tcpdump', '-i', 'eth0', '-n', '-e', '-l', '-v', '-c', String(count), filter]);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('listening on')) resolve();
    });
    child.once('exit', () => reject(new Error(`tcpdump exited: ${stderr}`)));
  });
  await action();
  const timeout = new AbortController();
  const finished = await Promise.race([exited.then(() => true), delay(5000, false, { signal: timeout.signal }).catch(() => false)]);
  timeout.abort();
  if (!finished && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  assert.ok(finished, `tcpdump did not see ${count} packets; got:\n${stdout}\n${stderr}`);
  return stdout;
}

interface IpLink {
  ifname: string;
  address: string;
  operstate: string;
  flags: string[];
  linkinfo?: { info_kind: string; info_data?: { mode?: string } };
}

async function link(lan: Lan, ns: string, name: string): Promise<IpLink | undefined> {
  try {
    const out = JSON.parse((await lan.exec(ns, ['ip', '-j', '-d', 'link', 'show', 'dev', name])).stdout) as IpLink[];
    return out[0];
  } catch {
    return undefined; // no such device
  }
}

test('announcer, VMAC, routes and rules in namespaces', { timeout: 30_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('tcpdump'))) return;
  const lan = await createLan({ name: 'ann', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: 90, v4PrefixLength: 26, v6Prefix: 'fd77::64:X', v6PrefixLength: 112 });
  const a = lan.host('a');
  const b = lan.host('b');
  const agent = await startAgent(lan, a.ns);
  try {
    await t.test('gratuitous ARP and unsolicited NA reach the other host', async () => {
      const text = await capture(lan, b.ns, 'arp or (icmp6 and ip6[40] == 136)', 2, () =>
        agent.call('announce', {
          interface: 'eth0',
          addresses: [
            { address: '192.168.77.100', prefix: 32, interface: 'eth0', family: 4 },
            { address: 'fd77::64:100', prefix: 128, interface: 'eth0', family: 6 },
          ],
        }),
      );
      // GARP: request to broadcast, sender = target = VIP, target MAC broadcast, from a's MAC.
      assert.match(text, new RegExp(`${a.mac} > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 192\\.168\\.77\\.100 \\(ff:ff:ff:ff:ff:ff\\) tell 192\\.168\\.77\\.100`));
      // NA: from the VIP to ff02::1 (33:33:00:00:00:01), hop limit 255, checksum right, Override, our MAC as option.
      assert.match(text, new RegExp(`${a.mac} > 33:33:00:00:00:01, ethertype IPv6 .*hlim 255.*fd77::64:100 > ff02::1: \\[icmp6 sum ok\\] ICMP6, neighbor advertisement, length 32, tgt is fd77::64:100, Flags \\[override\\]`));
      assert.match(text, new RegExp(`destination link-address option \\(2\\), length 8 \\(1\\): ${a.mac}`));
    });

    await t.test('VMAC: macvlan vrrp.61 with 00:00:5e:00:01:3d, private mode, up; announces from the VMAC; removed', async () => {
      const created = await agent.call<{ name: string; mac: string }>('vmacCreate', { parent: 'eth0', vrid: 61, family: 4 });
      assert.deepEqual({ name: created.name, mac: created.mac }, { name: 'vrrp.61', mac: '00:00:5e:00:01:3d' });
      await agent.call('vmacCreate', { parent: 'eth0', vrid: 61, family: 4 }); // exists: not an error
      const vmac = await link(lan, a.ns, 'vrrp.61');
      assert.equal(vmac?.address, '00:00:5e:00:01:3d');
      assert.equal(vmac?.linkinfo?.info_kind, 'macvlan');
      assert.equal(vmac?.linkinfo?.info_data?.mode, 'private');
      assert.ok(vmac?.flags.includes('UP'));
      const text = await capture(lan, b.ns, 'arp', 1, () =>
        agent.call('announce', { interface: 'vrrp.61', addresses: [{ address: '192.168.77.101', prefix: 32, interface: 'vrrp.61', family: 4 }] }),
      );
      assert.match(text, /00:00:5e:00:01:3d > ff:ff:ff:ff:ff:ff, ethertype ARP .*tell 192\.168\.77\.101/);
      await agent.call('vmacRemove', { name: 'vrrp.61' });
      await agent.call('vmacRemove', { name: 'vrrp.61' }); // absent: not an error
      assert.equal(await link(lan, a.ns, 'vrrp.61'), undefined);
    });

    await t.test('IPv6 VMAC: vrrp6.62 with 00:00:5e:00:02:3e', async () => {
      const created = await agent.call<{ name: string; mac: string }>('vmacCreate', { parent: 'eth0', vrid: 62, family: 6 });
      assert.equal(created.name, 'vrrp6.62');
      assert.equal((await link(lan, a.ns, 'vrrp6.62'))?.address, '00:00:5e:00:02:3e');
      await agent.call('vmacRemove', { name: 'vrrp6.62' });
      assert.equal(await link(lan, a.ns, 'vrrp6.62'), undefined);
    });

    await t.test('routes: add (idempotent) in a table with gateway and metric, then remove', async () => {
      // A RouteSpec (protocol/rtnetlink-routes.ts) as the configuration makes it; test/daemon/routes.test.ts has every option.
      const base = { type: 1, tos: 0, protocol: 18, onlink: false, metrics: {}, lock: 0, nexthops: [], mode: 'prepend', tracked: true };
      const route = { ...base, family: 4, destination: { address: '192.168.77.112', prefix: 28 }, gateway: b.ipv4, dev: 'eth0', table: 100, metric: 5 };
      await agent.call('routeAdd', route);
      await agent.call('routeAdd', route);
      const shown = JSON.parse((await lan.exec(a.ns, ['ip', '-j', 'route', 'show', 'table', '100'])).stdout) as Array<Record<string, unknown>>;
      assert.deepEqual(
        shown.map((r) => ({ dst: r['dst'], gateway: r['gateway'], dev: r['dev'], metric: r['metric'] })),
        [{ dst: '192.168.77.112/28', gateway: b.ipv4, dev: 'eth0', metric: 5 }],
      );
      const v6 = { ...base, family: 6, destination: { address: 'fd77::64:f000', prefix: 116 }, gateway: b.ipv6, table: 100 };
      await agent.call('routeAdd', v6);
      const shown6 = JSON.parse((await lan.exec(a.ns, ['ip', '-j', '-6', 'route', 'show', 'table', '100'])).stdout) as Array<Record<string, unknown>>;
      assert.equal(shown6[0]?.['dst'], 'fd77::64:f000/116');
      await agent.call('routeRemove', route);
      await agent.call('routeRemove', route);
      await agent.call('routeRemove', v6);
      assert.equal((await lan.exec(a.ns, ['ip', 'route', 'show', 'table', '100'])).stdout.trim(), '');
    });

    await t.test('rules: from/to, table, priority; add idempotent, remove', async () => {
      const rule = { family: 4, action: 1, invert: false, tos: 0, l3mdev: false, tracked: true, protocol: 18, from: { address: '192.168.77.100', prefix: 32 }, to: { address: '192.168.77.112', prefix: 28 }, table: 100, priority: 1000 };
      await agent.call('ruleAdd', rule);
      await agent.call('ruleAdd', rule);
      const rules = JSON.parse((await lan.exec(a.ns, ['ip', '-j', 'rule', 'show'])).stdout) as Array<Record<string, unknown>>;
      const ours = rules.filter((r) => r['priority'] === 1000);
      assert.equal(ours.length, 1);
      assert.equal(ours[0]?.['src'], '192.168.77.100');
      assert.equal(ours[0]?.['dst'], '192.168.77.112');
      assert.equal(ours[0]?.['dstlen'], 28);
      assert.equal(String(ours[0]?.['table']), '100');
      await agent.call('ruleRemove', rule);
      await agent.call('ruleRemove', rule);
      const after = JSON.parse((await lan.exec(a.ns, ['ip', '-j', 'rule', 'show'])).stdout) as Array<Record<string, unknown>>;
      assert.equal(after.some((r) => r['priority'] === 1000), false);
    });
  } finally {
    await agent.stop();
    await lan.cleanup();
  }
});
