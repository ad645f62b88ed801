/**
 * A simulated host's nftables, as far as the VIP firewall goes: tables by family and name, each holding the
 * addresses whose traffic it drops and the VMACs whose listener reports it sends on their base interface. Like the kernel's, they outlive the node that made them (a crashed node's
 * table stays until the next start clears it) and a reboot empties them. Each node's firewall
 * (`firewall(settings)`) counts its own holders, as the real one does in its process.
 */
import type { IpFamily } from '../protocol/ip.js';
import { canonicalIp } from '../protocol/ip.js';
import { isLinkLocal, type VipFirewall, type VipFirewallAddress, type VipFirewallSettings, type VipFirewallVmac } from '../transport/vip-firewall.js';

/** An address as the firewall matches it: link-local ones together with their interface. */
function keyOf(a: { address: string; interface?: string | undefined }): string {
  const address = canonicalIp(a.address) ?? a.address;
  return isLinkLocal(address) ? `${address}%${a.interface ?? ''}` : address;
}

const tableKey = (family: IpFamily, table: string): string => `${family === 4 ? 'ip' : 'ip6'} ${table}`;

interface SimTable {
  readonly addresses: Set<string>;
  /** VMAC>BASE */
  readonly vmacs: Set<string>;
}

const vmacText = (v: VipFirewallVmac): string => `${v.interface}>${v.base}`;

export class SimulatedNftables {
  private readonly tables = new Map<string, SimTable>();

  firewall(settings: VipFirewallSettings): VipFirewall {
    return new SimulatedVipFirewall(this, settings.table);
  }

  /** The tables there now, as `ip NAME` / `ip6 NAME`, sorted. */
  tableNames(): string[] {
    return [...this.tables.keys()].sort();
  }

  /** Whether traffic to (or from) the address is dropped now; a link-local one on that interface. */
  drops(address: string, interfaceName?: string): boolean {
    const key = keyOf({ address, interface: interfaceName });
    return [...this.tables.values()].some((t) => t.addresses.has(key));
  }

  /** Every address dropped now (link-local ones as ADDRESS%INTERFACE), sorted. */
  dropped(): string[] {
    return [...new Set([...this.tables.values()].flatMap((t) => [...t.addresses]))].sort();
  }

  /** The VMACs whose listener reports go out on their base interface now, as `FAMILY VMAC>BASE`, sorted. */
  vmacs(): string[] {
    return [...this.tables].flatMap(([key, t]) => [...t.vmacs].map((v) => `${key.split(' ')[0]!} ${v}`)).sort();
  }

  /** A reboot: the kernel starts without tables. */
  reboot(): void {
    this.tables.clear();
  }

  /** @internal The elements of a table, made on first use. */
  table(family: IpFamily, name: string): SimTable {
    const key = tableKey(family, name);
    let t = this.tables.get(key);
    if (!t) this.tables.set(key, (t = { addresses: new Set(), vmacs: new Set() }));
    return t;
  }

  /** @internal */
  existing(family: IpFamily, name: string): SimTable | undefined {
    return this.tables.get(tableKey(family, name));
  }

  /** @internal */
  remove(name: string): void {
    this.tables.delete(tableKey(4, name));
    this.tables.delete(tableKey(6, name));
  }
}

class SimulatedVipFirewall implements VipFirewall {
  private readonly holders = new Map<string, number>();

  constructor(
    private readonly nftables: SimulatedNftables,
    private readonly table: string,
  ) {}

  block(addresses: readonly VipFirewallAddress[]): Promise<void> {
    for (const a of addresses) {
      const key = `${a.family} ${keyOf(a)}`;
      const n = this.holders.get(key) ?? 0;
      if (n === 0) this.nftables.table(a.family, this.table).addresses.add(keyOf(a));
      this.holders.set(key, n + 1);
    }
    return Promise.resolve();
  }

  unblock(addresses: readonly VipFirewallAddress[]): Promise<void> {
    for (const a of addresses) {
      const key = `${a.family} ${keyOf(a)}`;
      const n = this.holders.get(key);
      if (n === undefined) continue;
      if (n > 1) {
        this.holders.set(key, n - 1);
        continue;
      }
      this.holders.delete(key);
      this.nftables.existing(a.family, this.table)?.addresses.delete(keyOf(a));
    }
    return Promise.resolve();
  }

  addVmac(vmac: VipFirewallVmac): Promise<void> {
    const key = `${vmac.family} vmac ${vmacText(vmac)}`;
    const n = this.holders.get(key) ?? 0;
    if (n === 0) this.nftables.table(vmac.family, this.table).vmacs.add(vmacText(vmac));
    this.holders.set(key, n + 1);
    return Promise.resolve();
  }

  removeVmac(vmac: VipFirewallVmac): Promise<void> {
    const key = `${vmac.family} vmac ${vmacText(vmac)}`;
    const n = this.holders.get(key);
    if (n === undefined) return Promise.resolve();
    if (n > 1) this.holders.set(key, n - 1);
    else {
      this.holders.delete(key);
      this.nftables.existing(vmac.family, this.table)?.vmacs.delete(vmacText(vmac));
    }
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.nftables.remove(this.table);
    this.holders.clear();
    return Promise.resolve();
  }
}
