/**
 * The VipFirewall contract (transport/vip-firewall.ts), judged from what the kernel (or the simulated host) drops
 * after each step, not from the firewall's own account: nothing exists before the first block, and only the
 * blocked address's family gets a table; unblocking lets the address through and leaves the table; an address
 * blocked twice stays dropped until both holders unblock it; unblocking what is not blocked is harmless; IPv6
 * link-local addresses are dropped on their interface; changes happen in the order asked; a VMAC's rules come with
 * it and go with it, in the same table as the drops; clear removes it all, twice is harmless, a crashed run's table
 * too, and blocking works again after it.
 */
import assert from 'node:assert/strict';
import type { VipFirewall, VipFirewallAddress } from '../../transport/vip-firewall.js';
import { thenClear, type ContractCase } from './contract.js';

export interface VipFirewallRig {
  /** A firewall on a host where nothing of it exists yet. */
  readonly firewall: VipFirewall;
  /** Another firewall with the same table on the same host, as an earlier run that crashed. */
  earlier(): VipFirewall;
  /** The addresses dropped now, as the host holds them: sorted, a link-local one as ADDRESS%INTERFACE. */
  dropped(): Promise<string[]>;
  /** The families with a table of the firewall now ('ip', 'ip6'), sorted. */
  tables(): Promise<string[]>;
  /** The VMACs whose listener reports go out on their base interface, as `FAMILY VMAC>BASE`, sorted. */
  vmacs(): Promise<string[]>;
  /** A macvlan on `interface` that exists in this rig's host. */
  readonly vmac: string;
  /** The interface addresses live on in this rig's host. */
  readonly interface: string;
}

const v4 = (address: string, rig: VipFirewallRig): VipFirewallAddress => ({ address, family: 4, interface: rig.interface, byName: false });
const v6 = (address: string, rig: VipFirewallRig, byName = false): VipFirewallAddress => ({ address, family: 6, interface: rig.interface, byName });

/** Runs a case and clears after it, so the next starts from nothing. */
const cleanly = (rig: VipFirewallRig, body: () => Promise<void>): Promise<void> => thenClear(() => rig.firewall.clear(), body);

export const vipFirewallContract: readonly ContractCase<VipFirewallRig>[] = [
  {
    name: 'nothing exists before the first block; a blocked IPv4 address is dropped, and only IPv4 has a table',
    check: (rig) =>
      cleanly(rig, async () => {
        assert.deepEqual(await rig.tables(), []);
        await rig.firewall.block([v4('192.168.77.100', rig), v4('192.168.77.101', rig)]);
        assert.deepEqual(await rig.dropped(), ['192.168.77.100', '192.168.77.101']);
        assert.deepEqual(await rig.tables(), ['ip']);
      }),
  },
  {
    name: 'unblocking lets the addresses through and leaves the table',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.firewall.block([v4('192.168.77.100', rig), v4('192.168.77.101', rig)]);
        await rig.firewall.unblock([v4('192.168.77.101', rig)]);
        assert.deepEqual(await rig.dropped(), ['192.168.77.100']);
        await rig.firewall.unblock([v4('192.168.77.100', rig)]);
        assert.deepEqual(await rig.dropped(), []);
        assert.deepEqual(await rig.tables(), ['ip']);
      }),
  },
  {
    name: 'IPv6: a global address is dropped everywhere, a link-local one on its interface (by index or by name)',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.firewall.block([v6('fd77::100', rig), v6('fe80::100', rig), v6('FE80::101', rig, true)]);
        assert.deepEqual(await rig.dropped(), ['fd77::100', `fe80::100%${rig.interface}`, `fe80::101%${rig.interface}`]);
        assert.deepEqual(await rig.tables(), ['ip6']);
        await rig.firewall.unblock([v6('fe80::101', rig, true), v6('FD77:0::100', rig)]);
        assert.deepEqual(await rig.dropped(), [`fe80::100%${rig.interface}`]);
      }),
  },
  {
    name: 'an address blocked by two holders stays dropped until both have unblocked it',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.firewall.block([v4('192.168.77.100', rig)]);
        await rig.firewall.block([v4('192.168.77.100', rig), v4('192.168.77.102', rig)]);
        await rig.firewall.unblock([v4('192.168.77.100', rig), v4('192.168.77.102', rig)]);
        assert.deepEqual(await rig.dropped(), ['192.168.77.100']);
        await rig.firewall.unblock([v4('192.168.77.100', rig)]);
        assert.deepEqual(await rig.dropped(), []);
      }),
  },
  {
    name: 'unblocking what is not blocked is harmless',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.firewall.unblock([v4('192.168.77.100', rig), v6('fe80::100', rig)]);
        assert.deepEqual(await rig.tables(), []);
        await rig.firewall.block([v4('192.168.77.101', rig)]);
        await rig.firewall.unblock([v4('192.168.77.100', rig)]);
        assert.deepEqual(await rig.dropped(), ['192.168.77.101']);
      }),
  },
  {
    name: 'changes take effect in the order asked, without waiting for each other',
    check: (rig) =>
      cleanly(rig, async () => {
        const a = v4('192.168.77.100', rig);
        const b = v6('fd77::100', rig);
        await Promise.all([rig.firewall.block([a, b]), rig.firewall.unblock([a]), rig.firewall.block([a]), rig.firewall.unblock([b])]);
        assert.deepEqual(await rig.dropped(), ['192.168.77.100']);
      }),
  },
  {
    name: "a VMAC's listener reports go out on its base interface while it is added; its family's table comes with it",
    check: (rig) =>
      cleanly(rig, async () => {
        const vmac4 = { interface: rig.vmac, base: rig.interface, family: 4 as const };
        const vmac6 = { ...vmac4, family: 6 as const };
        await rig.firewall.addVmac(vmac4);
        assert.deepEqual(await rig.vmacs(), [`ip ${rig.vmac}>${rig.interface}`]);
        assert.deepEqual(await rig.tables(), ['ip']);
        assert.deepEqual(await rig.dropped(), []);
        await rig.firewall.addVmac(vmac6);
        await rig.firewall.removeVmac(vmac4);
        assert.deepEqual(await rig.vmacs(), [`ip6 ${rig.vmac}>${rig.interface}`]);
        await rig.firewall.removeVmac(vmac4);
        await rig.firewall.removeVmac(vmac6);
        assert.deepEqual(await rig.vmacs(), []);
        assert.deepEqual(await rig.tables(), ['ip', 'ip6']);
      }),
  },
  {
    name: "a VMAC and the addresses' drops share their family's table, and clear removes both",
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.firewall.addVmac({ interface: rig.vmac, base: rig.interface, family: 4 });
        await rig.firewall.block([v4('192.168.77.100', rig)]);
        assert.deepEqual(await rig.vmacs(), [`ip ${rig.vmac}>${rig.interface}`]);
        assert.deepEqual(await rig.dropped(), ['192.168.77.100']);
        assert.deepEqual(await rig.tables(), ['ip']);
        await rig.firewall.clear();
        assert.deepEqual([await rig.vmacs(), await rig.dropped(), await rig.tables()], [[], [], []]);
      }),
  },
  {
    name: 'clear removes every table, twice is harmless, and blocking works again after it',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.firewall.block([v4('192.168.77.100', rig), v6('fd77::100', rig)]);
        await rig.firewall.clear();
        assert.deepEqual(await rig.tables(), []);
        assert.deepEqual(await rig.dropped(), []);
        await rig.firewall.clear();
        await rig.firewall.block([v6('fd77::101', rig)]);
        assert.deepEqual(await rig.dropped(), ['fd77::101']);
        assert.deepEqual(await rig.tables(), ['ip6']);
      }),
  },
  {
    name: "clear removes a crashed run's table (the next start's first step)",
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.earlier().block([v4('192.168.77.100', rig), v6('fd77::100', rig)]);
        assert.deepEqual(await rig.dropped(), ['192.168.77.100', 'fd77::100']);
        await rig.firewall.clear();
        assert.deepEqual(await rig.tables(), []);
        assert.deepEqual(await rig.dropped(), []);
      }),
  },
];
