import type { InterfaceAddress } from '../../transport/address-manager.js';
import type { IpFamily } from '../../protocol/ip.js';
import type { VrrpAdvertisement, VrrpAuthType } from '../../protocol/vrrp-types.js';
import type { TrackerInput, VrrpInstanceParams } from '../../machines/vrrp-instance.js';
import type { RouteSpec, RuleSpec } from '../../transport/routes.js';
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
  /** The addresses carried in advertisements (virtual_ipaddress only). */
  readonly advertisedAddresses: readonly string[];
  /** `unicast_src_ip`, when set. */
  readonly unicastSourceAddress: string | undefined;
  /** `unicast_peer` addresses; empty = multicast. */
  readonly unicastPeers: readonly string[];
  /** Tracked objects with their weights; the instance's own interface is tracked with weight 0. */
  readonly trackers: readonly TrackerInput[];
  /** keepalived `v3_checksum_as_v2`: send v3 IPv4 checksums without the pseudo-header. */
  readonly v3ChecksumAsV2: boolean;
  /** `virtual_routes` / `virtual_rules`: present exactly while master, like the VIPs. */
  readonly virtualRoutes: readonly RouteSpec[];
  readonly virtualRules: readonly RuleSpec[];
  /**
   * `use_vmac [NAME]`: the VIPs live on a macvlan with the virtual router MAC (RFC 5798 §7.3); advertisements
   * leave through it too unless `vmac_xmit_base`.
   */
  readonly vmac?: { readonly name: string; readonly xmitBase: boolean } | undefined;
  /** `vrrp_strict` / `strict_mode`: the receive checks to the letter of RFC 3768 §7.1 (protocol/receive-checks.ts). */
  readonly strict: boolean;
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
