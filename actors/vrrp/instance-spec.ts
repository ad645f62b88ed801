import type { ReceiveBufferShare } from './receive-buffer.js';
import type { InterfaceAddress, LinkbeatType } from '../../transport/address-manager.js';
import type { IpFamily } from '../../protocol/ip.js';
import type { VrrpAdvertisement, VrrpAuthType } from '../../protocol/vrrp-types.js';
import type { UnicastPeerTtl } from '../../protocol/receive-checks.js';
import type { TrackerInput, VrrpInstanceParams } from '../../machines/vrrp-instance.js';
import type { RouteSpec, RuleSpec } from '../../transport/routes.js';
import type { VirtualInterfaceSpec } from './virtual-interfaces.js';
import type { InterfaceDelaySpec } from './link-debounce.js';
import type { VipFirewallAddress } from '../../transport/vip-firewall.js';

/**
 * Everything the runtime needs to run one `vrrp_instance`, resolved from the configuration (defaults applied,
 * times in milliseconds or centiseconds as named). The machine's part (VrrpInstanceParams) includes the GARP
 * schedule (machines/garp-timer.ts).
 */
export interface VrrpInstanceSpec extends VrrpInstanceParams {
  readonly interface: string;
  readonly family: IpFamily;
  readonly authType: VrrpAuthType;
  readonly authPassword: string;
  /** Every address held while master: virtual_ipaddress, then virtual_ipaddress_excluded. */
  readonly virtualAddresses: readonly InterfaceAddress[];
  /** garp_extra_if: one address per interface, announced every garpExtraIfMs (./specs-from-config.ts). */
  readonly extraAnnouncements: readonly InterfaceAddress[];
  /** The addresses carried in advertisements (virtual_ipaddress only). */
  readonly advertisedAddresses: readonly string[];
  /** `unicast_src_ip`, when set. */
  readonly unicastSourceAddress: string | undefined;
  /** `unicast_peer` addresses; empty = multicast. */
  readonly unicastPeers: readonly string[];
  /**
   * Multicast mode: the group advertisements go to and are heard on (`mcast_dst_ip`, else global_defs
   * `vrrp_mcast_group4` / `vrrp_mcast_group6`); undefined in unicast mode.
   */
  readonly multicastGroup: string | undefined;
  /** Unicast mode: `unicast_ttl`, the TTL / hop limit advertisements are sent with (default: transport/vrrp-link.ts). */
  readonly unicastTtl: number | undefined;
  /** Each peer's `min_ttl` / `max_ttl`: the TTL range its advertisements must arrive with. */
  readonly unicastPeerTtls: readonly UnicastPeerTtl[];
  /** `check_unicast_src` (or vrrp_check_unicast_src, min_ttl, max_ttl): advertisements from non-peers are dropped. */
  readonly checkUnicastSource: boolean;
  /** `skip_check_adv_addr`: a BACKUP does not check again the advertisements of the master it last heard. */
  readonly skipCheckAdvAddr: boolean;
  /** Tracked objects with their weights; the instance's own interface is tracked with weight 0. */
  readonly trackers: readonly TrackerInput[];
  /**
   * keepalived `dont_track_primary`: the instance's own interface going down does not put it in FAULT (a
   * track_interface naming it is ignored, as always).
   */
  readonly dontTrackPrimary?: boolean;
  /**
   * VRRPv3 over IPv4: keepalived's old unicast checksum, with the multicast group in the pseudo-header
   * (vrrp.c, _WITH_UNICAST_CHKSUM_COMPAT_). `always` (old_unicast_checksum): sent and required that way; `auto`
   * (the default): the standard checksum, until a unicast instance hears a peer that uses the old one, then the old
   * one from there on; `never` (old_unicast_checksum never): the standard checksum only.
   */
  readonly oldUnicastChecksum: 'auto' | 'never' | 'always';
  /** Its share of its socket's receive buffer (kernel_rx_buf_size, vrrp_rx_bufs_policy: ./receive-buffer.ts). */
  readonly receiveBuffer?: ReceiveBufferShare | undefined;
  /** `virtual_routes` / `virtual_rules`: present exactly while master, like the VIPs. */
  readonly virtualRoutes: readonly RouteSpec[];
  readonly virtualRules: readonly RuleSpec[];
  /**
   * `use_vmac [NAME]`: the VIPs live on a macvlan with the virtual router MAC (RFC 5798 §7.3); advertisements
   * leave through it too unless `vmac_xmit_base`. `use_ipvlan`: advertisements leave through the ipvlan.
   */
  readonly vmac?: { readonly name: string; readonly xmitBase: boolean; readonly kind: 'macvlan' | 'ipvlan' } | undefined;
  /** The macvlan / ipvlan interfaces the instance needs (use_vmac, use_ipvlan, use_vmac_addr), its own first. */
  readonly interfaces?: readonly VirtualInterfaceSpec[] | undefined;
  /**
   * The addresses whose traffic the VIP firewall drops while this instance is master: all it holds, unless it
   * accepts (`accept`; strict VRRPv2 never does) or owns them (priority 255). Empty when it lets traffic in.
   */
  readonly firewalled: readonly VipFirewallAddress[];
}

export interface SyncGroupSpec {
  readonly name: string;
  readonly members: readonly string[];
}

export interface VrrpNodeSpec {
  readonly instances: readonly VrrpInstanceSpec[];
  readonly syncGroups: readonly SyncGroupSpec[];
  /** global_defs vrrp_startup_delay in milliseconds (0 = none): counted from the node's start, not from a reload. */
  readonly startupDelayMs?: number;
  /** linkbeat_interfaces / linkbeat_use_polling: interfaces whose link state is polled (./link-poller.ts). */
  readonly polledInterfaces?: readonly string[];
  /** linkbeat_interfaces' polling types, by interface (MII, ETHTOOL, IOCTL); absent: keepalived's order. */
  readonly linkbeatTypes?: Readonly<Record<string, LinkbeatType>>;
  /** interface_up_down_delays, as limited by the instances on each interface (./specs-from-config.ts). */
  readonly interfaceDelays?: readonly InterfaceDelaySpec[];
  /** The IPv4 group keepalived's old unicast checksum puts in the pseudo-header (global vrrp_mcast_group4). */
  readonly checksumGroup4?: string;
  /** global_defs log_unknown_vrids: an advertisement for a VRID no instance on its interface has is logged. */
  readonly logUnknownVrids?: boolean;
}

/** The advertisement an instance sends with this priority (its own interval, addresses and authentication). */
export function advertisementOf(spec: VrrpInstanceSpec, priority: number): VrrpAdvertisement {
  return {
    version: spec.version,
    vrid: spec.vrid,
    priority,
    intervalCs: spec.advertIntervalCs,
    family: spec.family,
    addresses: spec.advertisedAddresses,
    authType: spec.authType,
    authPassword: spec.authPassword,
  };
}
