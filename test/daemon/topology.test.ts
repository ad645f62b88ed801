/**
 * The topology keywords on a real daemon in a namespace, read back with `ip -d -j link` and `ip -j addr`:
 * `use_vmac NAME MAC` (and an IPv6 `use_vmac` with its link-local address and keepalived's interface settings),
 * `use_vmac_addr`, `use_ipvlan NAME ADDRESS MODE`, the VIP options (preferred_lft, home,
 * noprefixroute, -nodad, peer, an IPv6 /128 deprecated), and static_ipaddress with its options and without `dev`
 * (on default_interface). Then Debian's keepalived 2.2.7, given the same file on an identical host, must leave the
 * same links and addresses (modulo interface indexes and the veths' random MACs).
 */
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, type Daemon, stopDaemons } from './daemons.js';

const IPVLAN = `vrrp_instance VI_2 {
  state MASTER
  interface eth3
  virtual_router_id 52
  priority 150
  advert_int 1
  use_ipvlan ipv52 192.168.77.170/28 private
  virtual_ipaddress {
    192.168.77.171/28
  }
}
`;

/** The whole file; without the ipvlan instance where the kernel has no ipvlan. */
const config = (ipvlan: boolean): string => `global_defs {
  default_interface eth1
}
static_ipaddress {
  192.168.77.145/28
  fd77::1:0:0:1/80 dev eth1 home noprefixroute
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  use_vmac vm51 02:11:22:33:44:55
  use_vmac_addr
  virtual_ipaddress {
    192.168.77.100/26
    192.168.77.101/32 dev eth1
  }
}
${ipvlan ? IPVLAN : ''}vrrp_instance VI_4 {
  state MASTER
  interface eth0
  virtual_router_id 54
  priority 150
  advert_int 1
  use_vmac
  virtual_ipaddress {
    fd77::79:54/64
  }
}
vrrp_instance VI_3 {
  state MASTER
  interface eth0
  virtual_router_id 53
  priority 150
  advert_int 1
  virtual_ipaddress {
    fd77::79:1/128
    fd77::79:2/64 preferred_lft 600 home noprefixroute
    fd77::79:3/128 preferred_lft forever -nodad
    fd77::79:4 peer fd77::79:5
  }
}
`;

interface Link {
  ifname: string;
  link?: string;
  address: string;
  flags: string[];
  inet6_addr_gen_mode?: string;
  linkinfo?: { info_kind?: string; info_data?: { mode?: string; flags?: string } };
}
interface Addr {
  family: string;
  local: string;
  address?: string;
  prefixlen: number;
  home?: boolean;
  noprefixroute?: boolean;
  nodad?: boolean;
  deprecated?: boolean;
  preferred_life_time?: number;
}

/** The links and addresses of a namespace that the daemon made or changed, with what varies between hosts masked. */
async function topology(lan: Lan, host: LanHost): Promise<{ links: Record<string, unknown>; addresses: Record<string, unknown[]> }> {
  const links = JSON.parse((await lan.exec(host.ns, ['ip', '-d', '-j', 'link', 'show'])).stdout) as Link[];
  const addrs = JSON.parse((await lan.exec(host.ns, ['ip', '-j', 'addr', 'show'])).stdout) as Array<{ ifname: string; addr_info: Addr[] }>;
  const macOf = new Map(links.map((l) => [l.ifname, l.address]));
  const linkLocalOf = new Map(addrs.map((i) => [i.ifname, i.addr_info.find((a) => a.local.startsWith('fe80:'))?.local]));
  const parentOf = new Map<string, string>();
  const sysctl = async (family: 4 | 6, name: string, key: string): Promise<string> =>
    (await lan.exec(host.ns, ['cat', `/proc/sys/net/ipv${family}/conf/${name}/${key}`])).stdout.trim();
  const out: Record<string, unknown> = {};
  for (const l of links) {
    const kind = l.linkinfo?.info_kind;
    if (kind !== 'macvlan' && kind !== 'ipvlan') continue;
    const parent = l.link?.replace(/@.*/, '') ?? '';
    parentOf.set(l.ifname, parent);
    const settings: Record<string, string> = {};
    for (const key of ['arp_ignore', 'accept_local', 'rp_filter', 'promote_secondaries']) settings[key] = await sysctl(4, l.ifname, key);
    for (const key of ['arp_ignore', 'arp_filter']) settings[`parent ${key}`] = await sysctl(4, parent, key);
    settings['disable_ipv6'] = await sysctl(6, l.ifname, 'disable_ipv6');
    out[l.ifname] = {
      kind,
      parent,
      mode: l.linkinfo?.info_data?.mode,
      flags: l.linkinfo?.info_data?.flags,
      mac: l.address === macOf.get(parent) ? 'parent' : l.address,
      up: l.flags.includes('UP'),
      addrgenmode: l.inet6_addr_gen_mode,
      settings,
    };
  }
  const ignored = new Set([host.ipv4, host.ipv6, host.ipv6LinkLocal, '192.168.77.129', '192.168.77.161', '127.0.0.1', '::1']);
  const addresses: Record<string, unknown[]> = {};
  for (const i of addrs) {
    const parent = parentOf.get(i.ifname);
    const mine = i.addr_info
      .filter((a) => parent !== undefined || (!ignored.has(a.local) && !a.local.startsWith('fe80:')))
      .map((a) => ({
        local: parent !== undefined && a.local === linkLocalOf.get(parent) ? "parent's link-local" : a.local,
        prefix: a.prefixlen,
        ...(a.address !== undefined ? { peer: a.address } : {}),
        ...(a.home ? { home: true } : {}),
        ...(a.noprefixroute ? { noprefixroute: true } : {}),
        ...(a.family === 'inet6' ? { nodad: a.nodad === true, deprecated: a.deprecated === true, preferred: a.preferred_life_time === 4294967295 ? 'forever' : a.preferred_life_time! > 0 ? 'some' : 0 } : {}),
      }))
      .sort((x, y) => x.local.localeCompare(y.local));
    if (mine.length > 0) addresses[i.ifname] = mine;
  }
  return { links: out, addresses };
}

/**
 * eth1, a veth (with eth2) for use_vmac_addr and default_interface; eth3 (with eth4) for the ipvlan (the kernel
 * refuses an ipvlan on a link that has macvlans).
 */
async function secondInterface(lan: Lan, host: LanHost): Promise<void> {
  const sh = (...cmd: string[]) => lan.exec(host.ns, cmd);
  await sh('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth2');
  await sh('ip', 'addr', 'add', '192.168.77.129/28', 'dev', 'eth1');
  await sh('ip', 'link', 'add', 'eth3', 'type', 'veth', 'peer', 'name', 'eth4');
  await sh('ip', 'addr', 'add', '192.168.77.161/28', 'dev', 'eth3');
  for (const i of ['eth1', 'eth2', 'eth3', 'eth4']) await sh('ip', 'link', 'set', i, 'up');
}

/** Whether the kernel can make an ipvlan (module ipvlan); keepalived cannot either without it. */
async function ipvlanSupported(lan: Lan, host: LanHost): Promise<boolean> {
  const r = await lan.exec(host.ns, ['ip', 'link', 'add', 'ipvtest', 'link', 'eth3', 'type', 'ipvlan', 'mode', 'l2']).then(
    () => true,
    () => false,
  );
  if (r) await lan.exec(host.ns, ['ip', 'link', 'del', 'ipvtest']);
  return r;
}

const settled = (t: Awaited<ReturnType<typeof topology>>, ipvlan: boolean): boolean =>
  ['vm51', 'vrrp.51', 'vrrp.54', ...(ipvlan ? ['ipv52'] : [])].every((n) => n in t.links) &&
  (t.addresses['vrrp.54']?.length ?? 0) >= 2 &&
  (t.addresses['vm51']?.length ?? 0) >= 1 &&
  (t.addresses['vrrp.51']?.length ?? 0) >= 1 &&
  (t.addresses['eth0']?.length ?? 0) >= 4 &&
  (t.addresses['eth1']?.length ?? 0) >= 2 &&
  (!ipvlan || ((t.addresses['eth3']?.length ?? 0) >= 1 && (t.addresses['ipv52']?.length ?? 0) >= 1));

test('use_vmac, use_vmac_addr, use_ipvlan, VIP and static address options reach the kernel as keepalived puts them', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'topo', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 70, v4PrefixLength: 26, v6Prefix: 'fd77::79:X', v6PrefixLength: 112 });
  const a = lan.host('a');
  const daemons: Daemon[] = [];
  try {
    await secondInterface(lan, a);
    const ipvlan = await ipvlanSupported(lan, a);
    if (!ipvlan) t.diagnostic('this kernel has no ipvlan (module ipvlan): the use_ipvlan instance is left out');
    const da = startDaemon(lan, a, 'vigil', config(ipvlan));
    daemons.push(da);
    let vigil = await topology(lan, a);
    await eventually(async () => settled((vigil = await topology(lan, a)), ipvlan), 10_000, async () => `${JSON.stringify(vigil, null, 1)}\n${da.log().slice(-3000)}`);

    await t.test("the VMACs with their name and MAC (an address's macvlan takes the given one), set up as keepalived sets them; the ipvlan with its mode", () => {
      // IPv4 macvlans: no IPv6, no ARP replies for the parent's addresses, hear other instances (vrrp_if_config.c).
      const ipv4 = { arp_ignore: '1', accept_local: '1', rp_filter: '0', promote_secondaries: '1', 'parent arp_ignore': '1', 'parent arp_filter': '1', disable_ipv6: '1' };
      const macvlan = { kind: 'macvlan', mode: 'private', flags: undefined, up: true, addrgenmode: 'none' };
      assert.deepEqual(vigil.links['vm51'], { ...macvlan, parent: 'eth0', mac: '02:11:22:33:44:55', settings: ipv4 });
      assert.deepEqual(vigil.links['vrrp.51'], { ...macvlan, parent: 'eth1', mac: '02:11:22:33:44:55', settings: ipv4 });
      // IPv6: the RFC 5798 MAC, IPv6 on, no address made from the MAC, the IPv4 settings left alone.
      assert.deepEqual(vigil.links['vrrp.54'], {
        ...macvlan,
        parent: 'eth0',
        mac: '00:00:5e:00:02:36',
        settings: { arp_ignore: '0', accept_local: '0', rp_filter: '0', promote_secondaries: '0', 'parent arp_ignore': '1', 'parent arp_filter': '1', disable_ipv6: '0' },
      });
      if (ipvlan) assert.deepEqual(vigil.links['ipv52'], { kind: 'ipvlan', parent: 'eth3', mode: 'l2', flags: 'private', mac: 'parent', up: true });
    });

    await t.test('each address on its interface with the options written', () => {
      assert.deepEqual(vigil.addresses['vm51'], [{ local: '192.168.77.100', prefix: 26 }]);
      assert.deepEqual(vigil.addresses['vrrp.51'], [{ local: '192.168.77.101', prefix: 32 }]);
      // The IPv6 VMAC's link-local address is its parent's (set_link_local_address), deprecated, without DAD.
      assert.deepEqual(vigil.addresses['vrrp.54'], [
        { local: 'fd77::79:54', prefix: 64, nodad: true, deprecated: false, preferred: 'forever' },
        { local: "parent's link-local", prefix: 64, nodad: true, deprecated: true, preferred: 0 },
      ]);
      if (ipvlan) {
        assert.deepEqual(vigil.addresses['ipv52'], [{ local: '192.168.77.170', prefix: 28 }]);
        assert.deepEqual(vigil.addresses['eth3'], [{ local: '192.168.77.171', prefix: 28 }]);
      }
      assert.deepEqual(vigil.addresses['eth0'], [
        { local: 'fd77::79:1', prefix: 128, nodad: true, deprecated: true, preferred: 0 },
        { local: 'fd77::79:2', prefix: 64, home: true, noprefixroute: true, nodad: true, deprecated: false, preferred: 'some' },
        { local: 'fd77::79:3', prefix: 128, nodad: false, deprecated: false, preferred: 'forever' },
        { local: 'fd77::79:4', prefix: 128, peer: 'fd77::79:5', nodad: true, deprecated: true, preferred: 0 },
      ]);
      assert.deepEqual(vigil.addresses['eth1'], [
        { local: '192.168.77.145', prefix: 28 },
        { local: 'fd77::1:0:0:1', prefix: 80, home: true, noprefixroute: true, nodad: true, deprecated: false, preferred: 'forever' },
      ]);
    });

    await t.test('a deleted static address is put back', async () => {
      await lan.exec(a.ns, ['ip', 'addr', 'del', '192.168.77.145/28', 'dev', 'eth1']);
      await eventually(async () => ((await topology(lan, a)).addresses['eth1'] ?? []).some((x) => (x as { local: string }).local === '192.168.77.145'), 5000, () => da.log().slice(-2000));
    });

    await t.test('a reload removes the static addresses gone from the file or changed, and adds the new ones', async () => {
      const next = config(ipvlan).replace('  192.168.77.145/28\n', '  192.168.77.146/28\n').replace('fd77::1:0:0:1/80 dev eth1 home noprefixroute', 'fd77::1:0:0:1/80 dev eth1 home');
      writeFileSync(da.conf, next);
      da.kill('SIGHUP');
      await eventually(async () => /reloaded: /.test(da.log()), 5000, () => da.log().slice(-2000));
      const expected = [
        { local: '192.168.77.146', prefix: 28 },
        { local: 'fd77::1:0:0:1', prefix: 80, home: true, nodad: true, deprecated: false, preferred: 'forever' },
      ];
      let eth1: unknown[] = [];
      await eventually(async () => JSON.stringify((eth1 = (await topology(lan, a)).addresses['eth1'] ?? [])) === JSON.stringify(expected), 3000, () => `${JSON.stringify(eth1)}\n${da.log().slice(-2000)}`);
    });

    await t.test("Debian's keepalived, given the same file on an identical host, leaves the same links and addresses", async (st) => {
      if (!commandAvailable('keepalived').ok) {
        st.skip('keepalived is not installed');
        return;
      }
      const other = await createLan({ name: 'topok', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 70, v4PrefixLength: 26, v6Prefix: 'fd77::79:X', v6PrefixLength: 112 });
      const k = other.host('a');
      await secondInterface(other, k);
      const dk = startDaemon(other, k, 'keepalived', config(ipvlan));
      try {
        let keepalived = await topology(other, k);
        await eventually(async () => settled((keepalived = await topology(other, k)), ipvlan), 10_000, async () => `${JSON.stringify(keepalived, null, 1)}\n${dk.log().slice(-3000)}`);
        assert.deepEqual(vigil.links, keepalived.links, dk.log().slice(-3000));
        assert.deepEqual(vigil.addresses, keepalived.addresses, dk.log().slice(-3000));
      } finally {
        await stopDaemons(other, [dk]);
      }
    });

    await t.test('a stop removes the VMAC, ipvlan and static addresses', async () => {
      da.kill('SIGTERM');
      assert.equal(await da.exited(), 0);
      const after = await topology(lan, a);
      assert.deepEqual(after.links, {});
      assert.deepEqual(after.addresses, {});
      // The parents' ARP settings as they were before the first VMAC.
      for (const parent of ['eth0', 'eth1']) {
        for (const key of ['arp_ignore', 'arp_filter']) assert.equal((await lan.exec(a.ns, ['cat', `/proc/sys/net/ipv4/conf/${parent}/${key}`])).stdout.trim(), '0', `${parent} ${key}`);
      }
    });
  } finally {
    await stopDaemons(lan, daemons);
  }
});
