/**
 * Where the addresses of each vrrp_instance go, and the macvlan / ipvlan interfaces vigil creates for them, as
 * keepalived 2.2.7 decides (vrrp.c vrrp_complete_instance, create_vmac_name; vrrp_vmac.c):
 *
 * - `use_vmac [NAME] [MAC]`: a private-mode macvlan on the instance's interface with the virtual router MAC
 *   (RFC 5798 §7.3: 00-00-5E-00-01-VRID for IPv4, 00-00-5E-00-02-VRID for IPv6) or the MAC given. The addresses
 *   of the instance's family without a `dev` of another interface go on it.
 * - `use_vmac_addr`, or `use_vmac` on an address: that address gets a macvlan of its own family's MAC (or the MAC
 *   given) on its interface, one per interface and MAC; so does an address of the other family with
 *   use_vmac_addr.
 * - `use_ipvlan [NAME] [ADDRESS] [bridge|private|vepa]`: an L2 ipvlan on the instance's interface carrying
 *   ADDRESS, the advertisements' source; the addresses stay on the instance's interface (keepalived moves them
 *   onto a VMAC only).
 *
 * Names not given are `vrrp.VRID` (global_defs vmac_prefix, and vmac_addr_prefix for an address's macvlan), then
 * for IPv6 `vrrp6.VRID`, then `vrrp1.VRID`, `vrrp2.VRID`, …: the first no other instance's macvlan or ipvlan
 * uses, in the order of the configuration. keepalived also skips a name an interface of the host already has; vigil
 * decides without looking at the host, so that the daemon and the simulator agree.
 */
import type { IpFamily } from '../../protocol/ip.js';
import type { Config, IpAddress, VrrpInstance } from '../../config/model.js';

export interface VirtualInterfaceSpec {
  readonly kind: 'macvlan' | 'ipvlan';
  readonly name: string;
  /** The interface it is created on. */
  readonly parent: string;
  /** The family of the addresses it was made for (a macvlan's RFC 5798 MAC follows it). */
  readonly family: IpFamily;
  /** macvlan: its MAC, aa:bb:cc:dd:ee:ff. */
  readonly mac?: string | undefined;
  /**
   * IPv6 stays enabled on it only where IPv6 addresses may go: keepalived disables it on an IPv4 instance's
   * interface that carries no IPv6 eVIP, and on an IPv4 address's macvlan (RFC 5798 §7.4: no link-local
   * address the VIPs' owner did not ask for).
   */
  readonly ipv6: boolean;
  /** ipvlan: its mode flags (IFLA_IPVLAN_FLAGS; bridge unless given). */
  readonly ipvlanMode?: 'bridge' | 'private' | 'vepa' | undefined;
  /** ipvlan: its own address (`use_ipvlan … ADDRESS`), in keepalived's form (IPv6: deprecated, no DAD). */
  readonly address?: { readonly address: string; readonly prefix: number; readonly family: IpFamily } | undefined;
  /**
   * An IPv6 macvlan gets a link-local address (keepalived set_link_local_address): the instance's IPv6 source
   * address if one is given, else its parent's link-local, so that advertisements leave from a non-VIP address
   * with the virtual router MAC. Not with vmac_xmit_base (advertisements then leave from the parent).
   */
  readonly linkLocal?: boolean | undefined;
}

export interface InstanceTopology {
  /** The instance's own macvlan or ipvlan (advertisements go through it unless vmac_xmit_base). */
  readonly own?: VirtualInterfaceSpec | undefined;
  /** Every interface to create for the instance: its own first, then the addresses' macvlans. */
  readonly interfaces: readonly VirtualInterfaceSpec[];
  /** The interface of each virtual_ipaddress, then of each virtual_ipaddress_excluded, in order. */
  readonly addressInterfaces: readonly string[];
}

const vrrpMac = (vrid: number, family: IpFamily): string =>
  ['00', '00', '5e', '00', family === 4 ? '01' : '02', vrid.toString(16).padStart(2, '0')].join(':');

/** `PREFIX.VRID`, its prefix cut so that the whole fits in 15 characters (IFNAMSIZ). */
function fitted(prefix: string, suffix: string): string {
  const room = 15 - suffix.length;
  return `${prefix.slice(0, Math.max(0, room))}${suffix}`;
}

/** keepalived's create_vmac_name: the first free name in its order. */
function freeName(prefix: string, vrid: number, family: IpFamily, used: ReadonlySet<string>): string {
  let name = fitted(prefix, `.${vrid}`);
  let n = 0;
  while (used.has(name)) {
    // IPv6 tries PREFIX6 second, then 1, 2, … skipping 6.
    if (family === 6) n = n === 0 ? 6 : n === 6 ? 1 : n + 1 === 6 ? 7 : n + 1;
    else n++;
    name = fitted(prefix, `${n}.${vrid}`);
  }
  return name;
}

/** The topology of every instance of the configuration, in its order (names depend on the instances before). */
export function topologies(config: Config): Map<VrrpInstance, InstanceTopology> {
  const used = new Set<string>();
  for (const v of config.vrrpInstances) {
    if (v.useVmac?.interface !== undefined) used.add(v.useVmac.interface);
    if (v.useIpvlan?.interface !== undefined) used.add(v.useIpvlan.interface);
  }
  const prefix = config.globalDefs.vmacPrefix ?? 'vrrp';
  const addrPrefix = config.globalDefs.vmacAddrPrefix ?? prefix;
  const made: VirtualInterfaceSpec[] = [];
  const out = new Map<VrrpInstance, InstanceTopology>();
  for (const v of config.vrrpInstances) {
    out.set(v, topologyOf(v, prefix, addrPrefix, used, made));
  }
  return out;
}

function topologyOf(v: VrrpInstance, prefix: string, addrPrefix: string, used: Set<string>, made: VirtualInterfaceSpec[]): InstanceTopology {
  const all = [...v.virtualIpAddresses, ...v.excludedVirtualIpAddresses];
  const otherFamily = v.excludedVirtualIpAddresses.some((a) => a.family !== v.family);
  let own: VirtualInterfaceSpec | undefined;
  if (v.useIpvlan) {
    const name = v.useIpvlan.interface ?? freeName(prefix, v.virtualRouterId, v.family, used);
    used.add(name);
    const address = ipvlanAddress(v.useIpvlan.address);
    own = {
      kind: 'ipvlan',
      name,
      parent: v.interface,
      family: v.family,
      ipv6: v.family === 6 || otherFamily,
      ipvlanMode: (v.useIpvlan.mode as 'bridge' | 'private' | 'vepa' | undefined) ?? 'bridge',
      ...(address ? { address } : {}),
    };
  } else if (v.useVmac) {
    const name = v.useVmac.interface ?? freeName(prefix, v.virtualRouterId, v.family, used);
    used.add(name);
    own = {
      kind: 'macvlan',
      name,
      parent: v.interface,
      family: v.family,
      mac: v.useVmac.mac ?? vrrpMac(v.virtualRouterId, v.family),
      ipv6: v.family === 6 || otherFamily,
      linkLocal: v.family === 6 && !v.vmacXmitBase,
    };
  }
  const interfaces: VirtualInterfaceSpec[] = own ? [own] : [];
  if (own) made.push(own);
  const addressInterfaces = all.map((a) => {
    const onOwn = a.dev === undefined || a.dev === v.interface;
    if (onOwn && v.useVmac && own && a.family === v.family) return own.name;
    const base = onOwn ? v.interface : a.dev!;
    const needsVmac = onOwn ? a.useVmac || (v.useVmacAddr && a.family !== v.family) : a.useVmac || v.useVmacAddr;
    if (!needsVmac) return base;
    const mac = v.useVmac?.mac ?? vrrpMac(v.virtualRouterId, a.family);
    // keepalived's if_get_by_vmac: a macvlan with that MAC on that interface already made is used again.
    const existing = made.find((m) => m.kind === 'macvlan' && m.parent === base && m.mac === mac);
    if (existing) return existing.name;
    const name = freeName(addrPrefix, v.virtualRouterId, a.family, used);
    used.add(name);
    const extra: VirtualInterfaceSpec = { kind: 'macvlan', name, parent: base, family: a.family, mac, ipv6: a.family === 6, linkLocal: a.family === 6 };
    made.push(extra);
    interfaces.push(extra);
    return name;
  });
  return { ...(own ? { own } : {}), interfaces, addressInterfaces };
}

function ipvlanAddress(text: string | undefined): VirtualInterfaceSpec['address'] {
  if (text === undefined) return undefined;
  const [address, prefix] = text.split('/');
  return { address: address!, prefix: Number(prefix), family: address!.includes(':') ? 6 : 4 };
}

/** The addresses that need their interface's link to stay tracked (no `no_track`). */
export function trackedAddressInterfaces(v: VrrpInstance, topology: InstanceTopology): string[] {
  const all: readonly IpAddress[] = [...v.virtualIpAddresses, ...v.excludedVirtualIpAddresses];
  return all.flatMap((a, i) => (a.noTrack ? [] : [topology.addressInterfaces[i]!]));
}
