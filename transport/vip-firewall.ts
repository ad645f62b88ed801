/**
 * The VIP firewall: while an instance that does not accept traffic for its addresses (`no_accept`, or
 * `vrrp_strict` with VRRPv2, and not the address owner) is MASTER, packets to and from those addresses are dropped
 * (RFC 5798 §6.4.3: "MUST NOT accept packets addressed to the IPvX address(es) associated with the virtual router
 * if it is not the IPvX address owner", unless Accept_Mode). keepalived 2.2 does it with one nftables table of its
 * own; vigil does the same (transport/real/nft-vip-firewall.ts), or keeps the state in the simulated host.
 *
 * Each `block` of an address counts one holder (two instances may share an address): the address is let through
 * again once every holder has unblocked it; unblocking what is not blocked is harmless. A VMAC's rules
 * (`addVmac`) count their holders the same way. Nothing exists on the
 * host before the first block of a family; `clear` removes everything this firewall (or a crashed predecessor
 * with the same table) made.
 */
import type { IpFamily } from '../protocol/ip.js';

/** vigil's table when global_defs `nftables` names none (keepalived's is `keepalived`; the load balancer's `vigil`). */
export const DEFAULT_VIP_FIREWALL_TABLE = 'vigil_vrrp';
/** keepalived's default chain priority: just before the filter hook's (0). */
export const DEFAULT_VIP_FIREWALL_PRIORITY = -1;

export interface VipFirewallSettings {
  /** global_defs `nftables NAME`. */
  readonly table: string;
  /** global_defs `nftables_priority`. */
  readonly priority: number;
  /** global_defs `nftables_counters`: a counter on every rule. */
  readonly counters: boolean;
}

export interface VipFirewallAddress {
  readonly address: string;
  readonly family: IpFamily;
  /** The interface the address is on: an IPv6 link-local address is blocked on that interface only. */
  readonly interface: string;
  /**
   * An IPv6 link-local address matched by the interface's name rather than its index (keepalived: the instance
   * has `dont_track_primary`, the address is on its interface or `no_track`, and global_defs has no
   * `nftables_ifindex`).
   */
  readonly byName: boolean;
}

/** A use_vmac interface (a macvlan) of one family, on its base interface. */
export interface VipFirewallVmac {
  readonly interface: string;
  readonly base: string;
  readonly family: IpFamily;
}

export interface VipFirewall {
  /** Drops traffic to and from the addresses (one more holder each). */
  block(addresses: readonly VipFirewallAddress[]): Promise<void>;
  /** One holder fewer each: an address with none left is let through again. */
  unblock(addresses: readonly VipFirewallAddress[]): Promise<void>;
  /**
   * use_vmac, whatever the accept mode (keepalived nft_add_vmac): multicast listener reports sent on the VMAC go
   * out on its base interface instead, IPv6 router solicitations from it not at all. While the VMAC exists.
   */
  addVmac(vmac: VipFirewallVmac): Promise<void>;
  removeVmac(vmac: VipFirewallVmac): Promise<void>;
  /** Removes the firewall's table whole, a crashed run's too: at start and at stop. Harmless when there is none. */
  clear(): Promise<void>;
}

/** Builds a node's firewall once its configuration is known (global_defs names the table). */
export type VipFirewallFactory = (settings: VipFirewallSettings) => VipFirewall;

/** IPv6 link-local (fe80::/10): blocked per interface, in a set of its own. */
export function isLinkLocal(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
