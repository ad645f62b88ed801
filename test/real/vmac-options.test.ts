/**
 * NetlinkVmac's options as keepalived 2.2.7 creates its interfaces (vrrp_vmac.c netlink_link_add_vmac /
 * netlink_link_add_ipvlan, vrrp_if_config.c): the MAC given to use_vmac, IPv6 disabled, the IPv4 settings of the
 * macvlan and of its parent (put back with its last macvlan), and the ipvlan request. Against the kernel in a
 * namespace with `ip -d -j link`; the ipvlan request also byte for byte against <linux/if_link.h>, since a kernel
 * without the ipvlan module (as on some test hosts) cannot show it. The whole daemon, against keepalived itself:
 * test/daemon/topology.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkInfo } from '../../transport/real/vmac.js';
import { createLan, type Lan } from '../netns/harness.js';
import { startAgent } from './agent-client.js';
import { requireRealNetwork } from './helpers.js';

test('the IFLA_LINKINFO of an ipvlan: kind "ipvlan", IFLA_IPVLAN_MODE L2, IFLA_IPVLAN_FLAGS of the mode', () => {
  // IFLA_INFO_KIND (1) "ipvlan\0" padded to 4; IFLA_INFO_DATA (2) holding IFLA_IPVLAN_MODE (1, u16 0 = L2, padded)
  // and IFLA_IPVLAN_FLAGS (2, u16): bridge 0, IPVLAN_F_PRIVATE 1, IPVLAN_F_VEPA 2.
  const kind = '0b00' + '0100' + Buffer.from('ipvlan\0').toString('hex') + '00';
  const data = (flags: string): string => '1200' + '0200' + '0600' + '0100' + '0000' + '0000' + '0600' + '0200' + flags;
  assert.equal(linkInfo({ kind: 'ipvlan' }).toString('hex'), kind + data('0000'));
  assert.equal(linkInfo({ kind: 'ipvlan', ipvlanMode: 'bridge' }).toString('hex'), kind + data('0000'));
  assert.equal(linkInfo({ kind: 'ipvlan', ipvlanMode: 'private' }).toString('hex'), kind + data('0100'));
  assert.equal(linkInfo({ kind: 'ipvlan', ipvlanMode: 'vepa' }).toString('hex'), kind + data('0200'));
  // A macvlan: IFLA_MACVLAN_MODE (1, u32) MACVLAN_MODE_PRIVATE (1), as keepalived creates its VMACs.
  assert.equal(linkInfo({}).toString('hex'), '0c00' + '0100' + Buffer.from('macvlan\0').toString('hex') + '0c00' + '0200' + '0800' + '0100' + '01000000');
});

interface Link {
  ifname: string;
  address: string;
  inet6_addr_gen_mode?: string;
  linkinfo?: { info_kind?: string; info_data?: { mode?: string; flags?: string } };
}

async function link(lan: Lan, ns: string, name: string): Promise<Link | undefined> {
  const r = await lan.exec(ns, ['ip', '-d', '-j', 'link', 'show', 'dev', name]).catch(() => undefined);
  return r ? (JSON.parse(r.stdout) as Link[])[0] : undefined;
}

async function sysctl(lan: Lan, ns: string, path: string): Promise<string> {
  return (await lan.exec(ns, ['cat', `/proc/sys/net/${path}`])).stdout.trim();
}

test('NetlinkVmac in a namespace: the given MAC, IPv6 off, the IPv4 settings of macvlan and parent', { timeout: 30_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'vmacopt', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 80, v4PrefixLength: 26 });
  const a = lan.host('a');
  const agent = await startAgent(lan, a.ns);
  try {
    await t.test('use_vmac NAME MAC: a private macvlan with that MAC, no address made from it', async () => {
      await agent.call('vmacCreate', { parent: 'eth0', vrid: 51, family: 4, name: 'vm51', mac: '02:11:22:33:44:55', ipv6: false });
      const l = await link(lan, a.ns, 'vm51');
      assert.deepEqual([l?.address, l?.linkinfo?.info_kind, l?.linkinfo?.info_data?.mode, l?.inet6_addr_gen_mode], ['02:11:22:33:44:55', 'macvlan', 'private', 'none']);
      assert.equal(await sysctl(lan, a.ns, 'ipv6/conf/vm51/disable_ipv6'), '1');
    });

    await t.test('an IPv4 macvlan: arp_ignore, accept_local, rp_filter 0, promote_secondaries; its parent arp_ignore, arp_filter', async () => {
      const got = [];
      for (const key of ['arp_ignore', 'accept_local', 'rp_filter', 'promote_secondaries']) got.push(await sysctl(lan, a.ns, `ipv4/conf/vm51/${key}`));
      assert.deepEqual(got, ['1', '1', '0', '1']);
      assert.equal(await sysctl(lan, a.ns, 'ipv4/conf/eth0/arp_ignore'), '1');
      assert.equal(await sysctl(lan, a.ns, 'ipv4/conf/eth0/arp_filter'), '1');
    });

    await t.test('an IPv6 macvlan: the RFC 5798 MAC, IPv6 on, the IPv4 settings untouched', async () => {
      await agent.call('vmacCreate', { parent: 'eth0', vrid: 52, family: 6, name: 'vrrp.52' });
      const l = await link(lan, a.ns, 'vrrp.52');
      assert.deepEqual([l?.address, l?.inet6_addr_gen_mode], ['00:00:5e:00:02:34', 'none']);
      assert.equal(await sysctl(lan, a.ns, 'ipv6/conf/vrrp.52/disable_ipv6'), '0');
      assert.equal(await sysctl(lan, a.ns, 'ipv4/conf/vrrp.52/arp_ignore'), '0');
    });

    await t.test("the parent's settings come back with its last IPv4 macvlan", async () => {
      await agent.call('vmacCreate', { parent: 'eth0', vrid: 53, family: 4, name: 'vm53' });
      await agent.call('vmacRemove', { name: 'vm51' });
      assert.equal(await link(lan, a.ns, 'vm51'), undefined);
      assert.equal(await sysctl(lan, a.ns, 'ipv4/conf/eth0/arp_ignore'), '1'); // vm53 still there
      await agent.call('vmacRemove', { name: 'vm53' });
      assert.equal(await sysctl(lan, a.ns, 'ipv4/conf/eth0/arp_ignore'), '0');
      assert.equal(await sysctl(lan, a.ns, 'ipv4/conf/eth0/arp_filter'), '0');
      await agent.call('vmacRemove', { name: 'vrrp.52' });
    });

    await t.test('use_ipvlan: an L2 ipvlan with the mode flags, the parent MAC', async (st) => {
      await lan.exec(a.ns, ['ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth2']);
      const supported = await lan.exec(a.ns, ['ip', 'link', 'add', 'ipvprobe', 'link', 'eth1', 'type', 'ipvlan', 'mode', 'l2']).then(
        () => true,
        () => false,
      );
      if (!supported) {
        st.skip('this kernel has no ipvlan (module ipvlan); the request is checked byte for byte above');
        return;
      }
      await lan.exec(a.ns, ['ip', 'link', 'del', 'ipvprobe']);
      await agent.call('vmacCreate', { parent: 'eth1', vrid: 54, family: 4, name: 'ipv54', kind: 'ipvlan', ipvlanMode: 'vepa' });
      const l = await link(lan, a.ns, 'ipv54');
      assert.deepEqual([l?.linkinfo?.info_kind, l?.linkinfo?.info_data?.mode, l?.linkinfo?.info_data?.flags], ['ipvlan', 'l2', 'vepa']);
      assert.equal(l?.address, (await link(lan, a.ns, 'eth1'))?.address);
    });
  } finally {
    await agent.stop();
    await lan.cleanup();
  }
});
