/**
 * virtual_routes / virtual_rules and static_routes / static_rules on a real daemon in a namespace, judged from the
 * kernel (`ip -j -d route show table all`, `ip -j rule show`):
 * - every option keepalived accepts reaches the kernel with the value written, names resolved from the
 *   namespace's own /etc/iproute2 (a table named vigil_rt);
 * - Debian's keepalived 2.2.7, given the same file on an identical host, leaves exactly the same routes and rules;
 * - tracking: a static route or rule deleted by someone else is put back, and a static route when its interface
 *   comes up again; a virtual one makes its instance leave MASTER (and come back with it, elected again), unless
 *   `no_track`;
 * - routes and rules are marked protocol keepalived; a crash leaves the virtual ones behind and the next start
 *   removes them (while a peer holds the master role), and only them: a route someone else added for the same
 *   destination with another protocol stays; a reload changes the static ones, a stop removes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.90';
const GW = '192.168.77.65';
const GW6 = 'fd77::64:65';

/** One vrrp_instance with routes and rules using every option, and static ones; priority given. */
function config(priority: number): string {
  return `
static_routes {
  192.168.77.208/29 via ${GW} dev eth0 table 201 metric 3
  192.168.77.216/29 via 192.168.77.130 dev eth1 table 201
  fd77::40:0:0/96 dev eth1 table 201
}
static_rules {
  from 192.168.77.232/29 lookup 201 priority 200
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/26
  }
  virtual_routes {
    192.168.77.144/29 via ${GW} dev eth0 table vigil_rt metric 7 src ${VIP}
    192.168.77.152/29 dev eth0 scope link tos 0x10 mtu lock 1400 advmss 1300 rtt 1s rttvar 500ms reordering 3 window 1000 cwnd 10 ssthresh lock 20 realms 1/2 rto_min 300ms initcwnd 10 initrwnd 20 features ecn quickack 1 congctl lock cubic fastopen_no_cookie 1 hoplimit 64
    192.168.77.160/29 nexthop via ${GW} dev eth0 weight 3 nexthop via 192.168.77.130 dev eth1 weight 1 realms 5 onlink
    blackhole 192.168.77.168/29 table 200 no_track
    unreachable 192.168.77.176/29 protocol bird no_track
    prohibit 192.168.77.184/29 append
    throw 192.168.77.192/29 table 200 add
    192.168.77.200/29 encap ip id 100 dst 192.168.77.137 dev eth1
    fd77::1:0:0/96 via ${GW6} dev eth0 pref high metric 10
    fd77::2:0:0/96 from fd77::3:0:0/96 dev eth0 expires 3000
    fd77::4:0:0/96 dev eth0 encap ip6 id 5 dst fd77::9
  }
  virtual_rules {
    from ${VIP} lookup vigil_rt priority 100
    not from 192.168.77.0/29 fwmark 0x10/0xff tos 0x10 goto 300 priority 101
    to 192.168.77.8/29 blackhole priority 102
    to 192.168.77.16/29 nop priority 103 no_track protocol 12
    to 192.168.77.24/29 table main suppress_prefixlength 8 suppress_ifgroup 3 realms 4/5 iif eth0 oif eth1 priority 104
    to 192.168.77.32/29 l3mdev priority 105
    from 192.168.77.40/29 ipproto tcp sport 1000-2000 dport 80-81 uidrange 100-200 tunnel-id 7 lookup 200 priority 106
    to 192.168.77.48/29 unreachable priority 107
    to fd77::5:0:0/96 prohibit priority 108
    from 192.168.77.56/29 lookup 200
  }
}
`;
}

type Json = Record<string, unknown>;

/** The namespace's routes (both families, every table) and rules, without the kernel's own. */
async function kernelState(lan: Lan, host: LanHost): Promise<{ routes: Json[]; rules: Json[] }> {
  const json = async (cmd: string[]): Promise<Json[]> => JSON.parse((await lan.exec(host.ns, cmd)).stdout || '[]') as Json[];
  const routes = [...(await json(['ip', '-4', '-j', '-d', 'route', 'show', 'table', 'all'])), ...(await json(['ip', '-6', '-j', '-d', 'route', 'show', 'table', 'all']))]
    .filter((r) => r['protocol'] !== 'kernel' && r['type'] !== 'local' && r['type'] !== 'broadcast' && r['type'] !== 'multicast')
    // expires counts down; its presence is what is compared.
    .map((r) => ('expires' in r ? { ...r, expires: typeof r['expires'] === 'number' && r['expires'] > 0 } : r));
  const rules = [...(await json(['ip', '-4', '-j', '-d', 'rule', 'show'])), ...(await json(['ip', '-6', '-j', '-d', 'rule', 'show']))].filter((r) => r['protocol'] !== 'kernel');
  const key = (x: Json): string => JSON.stringify(x);
  return { routes: routes.sort((a, b) => key(a).localeCompare(key(b))), rules: rules.sort((a, b) => key(a).localeCompare(key(b))) };
}

const route = (state: { routes: Json[] }, dst: string): Json | undefined => state.routes.find((r) => r['dst'] === dst);
const rule = (state: { rules: Json[] }, priority: number): Json | undefined => state.rules.find((r) => r['priority'] === priority);

/** Its own /etc/iproute2 for a namespace (`ip netns exec` mounts /etc/netns/NS/iproute2 over it), with vigil_rt. */
function namespaceEtc(ns: string): string {
  const etc = join('/etc/netns', ns);
  mkdirSync(etc, { recursive: true });
  const iproute2 = ['/etc/iproute2', '/usr/share/iproute2'].find((d) => existsSync(join(d, 'rt_tables'))) ?? '/etc/iproute2';
  if (existsSync(iproute2)) cpSync(iproute2, join(etc, 'iproute2'), { recursive: true, dereference: true });
  else mkdirSync(join(etc, 'iproute2'));
  appendFileSync(join(etc, 'iproute2/rt_tables'), '\n150\tvigil_rt\n');
  return etc;
}

/** A second interface, eth1 (a veth pair with eth2), for next hops, encapsulation and a rule's oif. */
async function secondInterface(lan: Lan, host: LanHost): Promise<void> {
  const sh = (...cmd: string[]) => lan.exec(host.ns, cmd);
  await sh('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth2');
  await sh('ip', 'addr', 'add', '192.168.77.129/28', 'dev', 'eth1');
  await sh('ip', '-6', 'addr', 'add', 'fd77::77:1/112', 'dev', 'eth1', 'nodad');
  await sh('ip', 'link', 'set', 'eth1', 'up');
  await sh('ip', 'link', 'set', 'eth2', 'up');
}

async function hasVip(lan: Lan, host: LanHost): Promise<boolean> {
  return (await lan.exec(host.ns, ['ip', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout.includes(`${VIP}/26`);
}

test('virtual and static routes and rules: every option in the kernel, as keepalived puts them; crash leftovers removed at the next start', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'routes', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: 70, v4PrefixLength: 26, v6Prefix: 'fd77::64:X', v6PrefixLength: 112 });
  const [a, b] = [lan.host('a'), lan.host('b')];
  const etcs = [namespaceEtc(a.ns)];
  const daemons: Daemon[] = [];
  const describe = async (): Promise<string> => `${JSON.stringify(await kernelState(lan, a), null, 1)}\n${daemons.map((d) => `--- ${d.kind} ${d.host.name}\n${d.log().slice(-3000)}`).join('\n')}`;
  try {
    await secondInterface(lan, a);
    const da = startDaemon(lan, a, 'vigil', config(150));
    daemons.push(da);
    await eventually(() => hasVip(lan, a), 10_000, describe);
    await eventually(async () => (await kernelState(lan, a)).rules.length >= 11, 3000, describe);
    const vigil = await kernelState(lan, a);

    await t.test('each route option reaches the kernel with the value written', async () => {
      const s = vigil;
      assert.deepEqual(
        route(s, '192.168.77.144/29'),
        { type: 'unicast', dst: '192.168.77.144/29', gateway: GW, dev: 'eth0', table: 'vigil_rt', protocol: 'keepalived', scope: 'global', prefsrc: VIP, metric: 7, flags: [] },
        await describe(),
      );
      assert.deepEqual(route(s, '192.168.77.152/29'), {
        type: 'unicast',
        dst: '192.168.77.152/29',
        tos: '0x10',
        dev: 'eth0',
        table: 'main',
        protocol: 'keepalived',
        scope: 'link',
        flags: [],
        flow: { from: '1', to: '2' },
        // ip shows rtt, rttvar and rto_min in ms; the locked metrics are marked by the lock bitmask, not in JSON.
        metrics: [{ mtu: 1400, window: 1000, rtt: 1000, rttvar: 500, ssthresh: 20, cwnd: 10, advmss: 1300, reordering: 3, hoplimit: 64, initcwnd: 10, ecn: null, rto_min: 300, initrwnd: 20, quickack: 1, congestion: 'cubic', fastopen_no_cookie: 1 }],
      });
      assert.match((await lan.exec(a.ns, ['ip', 'route', 'show', '192.168.77.152/29'])).stdout, /mtu lock 1400 .*ssthresh lock 20 .*congctl lock cubic/);
      assert.deepEqual(route(s, '192.168.77.160/29'), {
        type: 'unicast',
        dst: '192.168.77.160/29',
        table: 'main',
        protocol: 'keepalived',
        scope: 'global',
        flags: [],
        nexthops: [
          { gateway: GW, dev: 'eth0', weight: 3, flags: [] },
          { gateway: '192.168.77.130', flow: { to: '5' }, dev: 'eth1', weight: 1, flags: ['onlink'] },
        ],
      });
      assert.deepEqual(route(s, '192.168.77.168/29'), { type: 'blackhole', dst: '192.168.77.168/29', table: '200', protocol: 'keepalived', scope: 'global', flags: [] });
      assert.deepEqual(route(s, '192.168.77.176/29'), { type: 'unreachable', dst: '192.168.77.176/29', table: 'main', protocol: 'bird', scope: 'global', flags: [] });
      assert.deepEqual(route(s, '192.168.77.184/29'), { type: 'prohibit', dst: '192.168.77.184/29', table: 'main', protocol: 'keepalived', scope: 'global', flags: [] });
      assert.deepEqual(route(s, '192.168.77.192/29'), { type: 'throw', dst: '192.168.77.192/29', table: '200', protocol: 'keepalived', scope: 'global', flags: [] });
      // ip's JSON names the encapsulation's dst "dst" too; the text shows both.
      assert.match((await lan.exec(a.ns, ['ip', 'route', 'show', '192.168.77.200/29'])).stdout, /^192\.168\.77\.200\/29 +encap ip id 100 src 0\.0\.0\.0 dst 192\.168\.77\.137 ttl 0 tos 0 dev eth1 proto keepalived/);
      assert.deepEqual(route(s, 'fd77::1:0:0/96'), { type: 'unicast', dst: 'fd77::1:0:0/96', gateway: GW6, dev: 'eth0', table: 'main', protocol: 'keepalived', scope: 'global', metric: 10, flags: [], pref: 'high' });
      assert.deepEqual(route(s, 'fd77::2:0:0/96'), { type: 'unicast', dst: 'fd77::2:0:0/96', from: 'fd77::3:0:0/96', dev: 'eth0', table: 'main', protocol: 'keepalived', scope: 'global', metric: 1024, flags: [], expires: true, pref: 'medium' });
      assert.match((await lan.exec(a.ns, ['ip', '-6', 'route', 'show', 'fd77::4:0:0/96'])).stdout, /^fd77::4:0:0\/96 +encap ip6 id 5 src :: dst fd77::9 hoplimit 0 tc 0 dev eth0 proto keepalived/);
    });

    await t.test('each rule option reaches the kernel with the value written', () => {
      const s = vigil;
      assert.deepEqual(rule(s, 100), { priority: 100, src: VIP, table: 'vigil_rt', protocol: 'keepalived' });
      assert.deepEqual(rule(s, 101), { priority: 101, not: null, src: '192.168.77.0', srclen: 29, tos: '0x10', fwmark: '0x10', fwmask: '0xff', goto: 300, unresolved: null, protocol: 'keepalived' });
      assert.deepEqual(rule(s, 102), { priority: 102, src: 'all', dst: '192.168.77.8', dstlen: 29, action: 'blackhole', protocol: 'keepalived' });
      // Not tracked: its own protocol, 12 (bird in rt_protos).
      assert.deepEqual(rule(s, 103), { priority: 103, src: 'all', dst: '192.168.77.16', dstlen: 29, nop: null, protocol: 'bird' });
      assert.deepEqual(rule(s, 104), {
        priority: 104,
        src: 'all',
        dst: '192.168.77.24',
        dstlen: 29,
        iif: 'eth0',
        oif: 'eth1',
        table: 'main',
        suppress_prefixlen: 8,
        suppress_ifgroup: '3',
        flow_from: '4',
        flow_to: '5',
        protocol: 'keepalived',
      });
      assert.deepEqual(rule(s, 105), { priority: 105, src: 'all', dst: '192.168.77.32', dstlen: 29, l3mdev: null, protocol: 'keepalived' });
      assert.deepEqual(rule(s, 106), {
        priority: 106,
        src: '192.168.77.40',
        srclen: 29,
        uid_start: 100,
        uid_end: 200,
        ipproto: 'tcp',
        sport_start: 1000,
        sport_end: 2000,
        dport_start: 80,
        dport_end: 81,
        tun_id: 7,
        table: '200',
        protocol: 'keepalived',
      });
      assert.deepEqual(rule(s, 107), { priority: 107, src: 'all', dst: '192.168.77.48', dstlen: 29, action: 'unreachable', protocol: 'keepalived' });
      assert.deepEqual(rule(s, 108), { priority: 108, src: 'all', dst: 'fd77::5:0:0', dstlen: 96, action: 'prohibit', protocol: 'keepalived' });
      // No preference: keepalived's 16384.
      assert.deepEqual(rule(s, 16384), { priority: 16384, src: '192.168.77.56', srclen: 29, table: '200', protocol: 'keepalived' });
      assert.deepEqual(rule(s, 200), { priority: 200, src: '192.168.77.232', srclen: 29, table: '201', protocol: 'keepalived' });
    });

    await t.test("Debian's keepalived, given the same file on an identical host, leaves the same routes and rules", async (st) => {
      if (!commandAvailable('keepalived').ok) {
        st.skip('keepalived is not installed');
        return;
      }
      const other = await createLan({ name: 'routesk', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 70, v4PrefixLength: 26, v6Prefix: 'fd77::64:X', v6PrefixLength: 112 });
      const k = other.host('a');
      etcs.push(namespaceEtc(k.ns));
      const dk = startDaemon(other, k, 'keepalived', config(150));
      try {
        await secondInterface(other, k);
        await eventually(() => hasVip(other, k), 10_000, () => dk.log());
        await eventually(async () => (await kernelState(other, k)).rules.length >= vigil.rules.length, 3000, () => dk.log());
        const keepalived = await kernelState(other, k);
        assert.deepEqual(vigil.routes, keepalived.routes, dk.log().slice(-3000));
        assert.deepEqual(vigil.rules, keepalived.rules, dk.log().slice(-3000));
      } finally {
        await stopDaemons(other, [dk]);
      }
    });

    await t.test('tracking: a deleted static route or rule is put back; a deleted virtual one makes the instance leave MASTER, unless no_track', async () => {
      const sh = (...cmd: string[]) => lan.exec(a.ns, cmd);
      await sh('ip', 'route', 'del', '192.168.77.208/29', 'table', '201');
      await sh('ip', 'rule', 'del', 'priority', '200');
      await eventually(async () => {
        const s = await kernelState(lan, a);
        return route(s, '192.168.77.208/29') !== undefined && rule(s, 200) !== undefined;
      }, 3000, describe);
      // no_track: the instance stays MASTER and the route stays deleted.
      await sh('ip', 'route', 'del', 'blackhole', '192.168.77.168/29', 'table', '200');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await hasVip(lan, a), true);
      assert.equal(route(await kernelState(lan, a), '192.168.77.168/29'), undefined);
      // Tracked: MASTER is left (the VIP goes), and, alone on the LAN, the instance is elected again with all its
      // routes and rules, the no_track one too.
      for (const remove of [['ip', 'route', 'del', '192.168.77.144/29', 'table', 'vigil_rt'], ['ip', 'rule', 'del', 'priority', '101']]) {
        await sh(...remove);
        await eventually(async () => !(await hasVip(lan, a)), 3000, describe);
        await eventually(() => hasVip(lan, a), 10_000, describe);
        await eventually(async () => {
          const s = await kernelState(lan, a);
          return route(s, '192.168.77.144/29') !== undefined && route(s, '192.168.77.168/29') !== undefined && rule(s, 101) !== undefined;
        }, 3000, describe);
      }
      // A link flap: the kernel drops the routes through eth1; the instance, which tracks eth1 through its routes
      // and rules, goes to FAULT; back up, the static routes are put back and the instance is MASTER again.
      await sh('ip', 'link', 'set', 'eth1', 'down');
      await eventually(async () => !(await hasVip(lan, a)) && route(await kernelState(lan, a), '192.168.77.216/29') === undefined, 3000, describe);
      await sh('ip', 'link', 'set', 'eth1', 'up');
      await eventually(() => hasVip(lan, a), 10_000, describe);
      await eventually(async () => {
        const s = await kernelState(lan, a);
        // (ip's JSON gives the encapsulated route 192.168.77.200/29 its encapsulation's dst.)
        const encapsulated = (await sh('ip', 'route', 'show', '192.168.77.200/29')).stdout.includes('dev eth1');
        return route(s, '192.168.77.216/29') !== undefined && route(s, 'fd77::40:0:0/96') !== undefined && encapsulated;
      }, 3000, describe);
      assert.match(da.log(), /tracked virtual route 192\.168\.77\.144\/29 was deleted from the kernel: leaving MASTER/);
      assert.match(da.log(), /tracked virtual rule with preference 101 was deleted from the kernel: leaving MASTER/);
    });

    await t.test('a crash leaves the virtual routes and rules; the next start removes them, and only them', async () => {
      // Someone else's route for one of the same destinations, in the same table, with another protocol.
      await lan.exec(a.ns, ['ip', 'route', 'append', '192.168.77.184/29', 'via', GW, 'proto', 'static']);
      da.kill('SIGKILL');
      await da.exited();
      const left = await kernelState(lan, a);
      assert.ok(route(left, '192.168.77.144/29') && rule(left, 101), 'a SIGKILLed vigil leaves its routes and rules');
      // b, with a higher priority, is master when a comes back: a stays backup, so whatever it has is a leftover.
      const db = startDaemon(lan, b, 'vigil', `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 61\n  priority 200\n  advert_int 1\n  virtual_ipaddress {\n    ${VIP}/26\n  }\n}\n`);
      daemons.push(db);
      await eventually(() => hasVip(lan, b), 10_000, describe);
      da.restart();
      await eventually(async () => /Entering BACKUP STATE/.test(da.log()), 10_000, describe);
      await eventually(async () => (await kernelState(lan, a)).routes.every((r) => r['protocol'] !== 'keepalived' || String(r['table']) === '201'), 5000, describe);
      const after = await kernelState(lan, a);
      assert.deepEqual(
        after.routes.map((r) => [r['dst'], r['protocol']]),
        [
          ['192.168.77.184/29', 'static'],
          ['192.168.77.208/29', 'keepalived'],
          ['192.168.77.216/29', 'keepalived'],
          ['fd77::40:0:0/96', 'keepalived'],
        ],
        'only the static routes and the foreign one',
      );
      // The untracked rule with its own protocol (12) is removed too: it is removed by its own protocol.
      assert.deepEqual(after.rules.map((r) => r['priority']), [200]);
      assert.equal(await hasVip(lan, a), false);
    });

    await t.test('a reload removes the static routes and rules gone from the file and adds the new ones', async () => {
      const next = config(150).replace(`192.168.77.208/29 via ${GW} dev eth0 table 201 metric 3`, `192.168.77.224/29 via ${GW} dev eth0 table 201`).replace('lookup 201 priority 200', 'lookup 201 priority 210');
      writeFileSync(da.conf, next);
      da.kill('SIGHUP');
      await eventually(async () => /reloaded: /.test(da.log()), 5000, describe);
      await eventually(async () => {
        const s = await kernelState(lan, a);
        return route(s, '192.168.77.224/29') !== undefined && route(s, '192.168.77.208/29') === undefined && rule(s, 210) !== undefined && rule(s, 200) === undefined;
      }, 3000, describe);
      // The new route is tracked: deleted, it is put back.
      await lan.exec(a.ns, ['ip', 'route', 'del', '192.168.77.224/29', 'table', '201']);
      await eventually(async () => route(await kernelState(lan, a), '192.168.77.224/29') !== undefined, 3000, describe);
    });

    await t.test('a stop removes the static routes and rules', async () => {
      da.kill('SIGTERM');
      assert.equal(await da.exited(), 0);
      const after = await kernelState(lan, a);
      assert.deepEqual(after.routes.map((r) => r['dst']), ['192.168.77.184/29']);
      assert.deepEqual(after.rules, []);
    });
  } finally {
    await stopDaemons(lan, daemons);
    for (const etc of etcs) rmSync(etc, { recursive: true, force: true });
  }
});
