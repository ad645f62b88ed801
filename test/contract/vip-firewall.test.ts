/**
 * The VipFirewall contract (vip-firewall-contract.ts) on the simulated host's nftables, and on nftables for real
 * in a network namespace (judged from `nft -j list ruleset`); broken firewalls must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VipFirewall, VipFirewallAddress, VipFirewallSettings, VipFirewallVmac } from '../../transport/vip-firewall.js';
import { SimulatedNftables } from '../../sim/simulated-vip-firewall.js';
import { NftVipFirewall } from '../../transport/real/nft-vip-firewall.js';
import { ExecNftRunner } from '../../transport/real/lb/nft-runner.js';
import { commandAvailable, createLan, requireNetns } from '../netns/harness.js';
import { droppedBy, tableView } from '../real/nft-ruleset.js';
import { failingCases, runContract } from './contract.js';
import { vipFirewallContract, type VipFirewallRig } from './vip-firewall-contract.js';

const SETTINGS: VipFirewallSettings = { table: 'vigil_vrrp', priority: -1, counters: false };

function simRig(wrap: (inner: VipFirewall) => VipFirewall = (f) => f): VipFirewallRig {
  const host = new SimulatedNftables();
  return {
    firewall: wrap(host.firewall(SETTINGS)),
    earlier: () => host.firewall(SETTINGS),
    dropped: async () => host.dropped(),
    tables: async () => host.tableNames().map((t) => t.split(' ')[0]!),
    vmacs: async () => host.vmacs(),
    interface: 'eth0',
    vmac: 'vrrp.51',
  };
}

test('VIP firewall contract: simulated host', async (t) => {
  await runContract(t, vipFirewallContract, () => simRig());
});

test('VIP firewall contract: nftables (namespace)', async (t) => {
  if (!requireNetns(t, () => commandAvailable('nft'))) return;
  const lan = await createLan({ name: 'vipfwctr', hosts: ['lb'], v4Prefix: '192.168.77.X' });
  try {
    const ns = lan.host('lb').ns;
    // An interface an iface_index element can name: what vigil's use_vmac makes.
    await lan.exec(ns, ['ip', 'link', 'add', 'link', 'eth0', 'name', 'vrrp.51', 'type', 'macvlan', 'mode', 'private']);
    const runner = new ExecNftRunner({ netns: ns });
    const view = async () => tableView((await runner.run(['-j', 'list', 'ruleset'])).stdout, SETTINGS.table);
    await runContract(t, vipFirewallContract, () => ({
      firewall: new NftVipFirewall(SETTINGS, runner),
      earlier: () => new NftVipFirewall(SETTINGS, runner),
      dropped: async () => droppedBy(await view()),
      tables: async () => [...(await view()).families],
      // The map's elements, where a rule sends listener reports through the map.
      async vmacs() {
        const v = await view();
        return v.families
          .filter((f) => (v.rules[`${f} out`] ?? []).some((r) => r.includes('@vmac_map')))
          .flatMap((f) => (v.sets[`${f} vmac_map`]?.elements ?? []).map((e) => `${f} ${e}`))
          .sort();
      },
      interface: 'eth0',
      vmac: 'vrrp.51',
    }));
  } finally {
    await lan.cleanup();
  }
});

/** Every method of `inner`, for a broken firewall to replace one or two. */
const delegate = (inner: VipFirewall): VipFirewall => ({
  block: (a) => inner.block(a),
  unblock: (a) => inner.unblock(a),
  addVmac: (v) => inner.addVmac(v),
  removeVmac: (v) => inner.removeVmac(v),
  clear: () => inner.clear(),
});

/** Each blocks or unblocks every address once, forgetting the other holders. */
class NoHolders implements VipFirewall {
  constructor(private readonly inner: VipFirewall) {}
  addVmac(v: VipFirewallVmac): Promise<void> {
    return this.inner.addVmac(v);
  }
  removeVmac(v: VipFirewallVmac): Promise<void> {
    return this.inner.removeVmac(v);
  }
  private readonly blocked = new Set<string>();
  async block(addresses: readonly VipFirewallAddress[]): Promise<void> {
    const fresh = addresses.filter((a) => !this.blocked.has(a.address));
    for (const a of fresh) this.blocked.add(a.address);
    await this.inner.block(fresh);
  }
  async unblock(addresses: readonly VipFirewallAddress[]): Promise<void> {
    for (const a of addresses) this.blocked.delete(a.address);
    await this.inner.unblock(addresses);
  }
  clear(): Promise<void> {
    this.blocked.clear();
    return this.inner.clear();
  }
}

test('VIP firewall contract: broken firewalls fail it', async () => {
  const noUnblock = await failingCases(vipFirewallContract, () => simRig((f) => ({ ...delegate(f), unblock: async () => {} })));
  assert.ok(noUnblock.includes('unblocking lets the addresses through and leaves the table'), noUnblock.join(', '));
  const noClear = await failingCases(vipFirewallContract, () => simRig((f) => ({ ...delegate(f), clear: async () => {} })));
  assert.ok(noClear.includes("clear removes a crashed run's table (the next start's first step)"), noClear.join(', '));
  assert.ok(noClear.includes('clear removes every table, twice is harmless, and blocking works again after it'), noClear.join(', '));
  const noHolders = await failingCases(vipFirewallContract, () => {
    const rig = simRig();
    // The holders are counted once per address: a second holder's unblock lets it through.
    return { ...rig, firewall: new NoHolders(rig.firewall) };
  });
  assert.ok(noHolders.includes('an address blocked by two holders stays dropped until both have unblocked it'), noHolders.join(', '));
  // Tables made ahead of the first block (an IPv6 one for an IPv4 address).
  const eager = await failingCases(vipFirewallContract, () =>
    simRig((f) => ({
      ...delegate(f),
      block: async (a) => {
        await f.block([{ address: 'fd77::ffff', family: 6, interface: 'eth0', byName: false }]);
        await f.block(a);
      },
    })),
  );
  assert.ok(eager.includes('nothing exists before the first block; a blocked IPv4 address is dropped, and only IPv4 has a table'), eager.join(', '));
  // A VMAC left in place when it is removed.
  const vmacStays = await failingCases(vipFirewallContract, () => simRig((f) => ({ ...delegate(f), removeVmac: async () => {} })));
  assert.deepEqual(vmacStays, ["a VMAC's listener reports go out on its base interface while it is added; its family's table comes with it"]);
});
