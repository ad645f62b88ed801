import type { Observable } from 'rxjs';
import type { IpFamily } from '../protocol/ip.js';

/** One address to put on or take off an interface (`virtual_ipaddress` entry, keepalived.conf(5)). */
export interface InterfaceAddress {
  readonly address: string;
  readonly prefix: number;
  readonly interface: string;
  readonly family: IpFamily;
  readonly scope?: string;
  readonly label?: string;
  readonly broadcast?: string;
  /** `peer ADDRESS`: the remote end of a point-to-point address (IFA_ADDRESS; the prefix is the peer's). */
  readonly peer?: string;
  /** `home`, `mngtmpaddr`, `noprefixroute`, `autojoin`: the IFA_F_* flags of `ip address add`. */
  readonly flags?: AddressFlags;
  /** IPv6 only: `-nodad` asks for duplicate address detection, which keepalived turns off for every address. */
  readonly dad?: boolean;
  /**
   * IPv6 only: the preferred lifetime in seconds (`preferred_lft`; 0 = deprecated, keepalived's default for a
   * /128, RFC 3484 source selection then avoids it). Absent: forever. The valid lifetime is always forever.
   */
  readonly preferredLifetime?: number;
}

export interface AddressFlags {
  readonly home?: boolean;
  readonly mngtmpaddr?: boolean;
  readonly noprefixroute?: boolean;
  readonly autojoin?: boolean;
}

/**
 * A link came up or went down; also told when an interface is deleted (down, even if it was down already) and when
 * one appears (with its state), so that channels and VMACs bound to a name follow a deleted and re-created one.
 */
export interface LinkEvent {
  readonly interface: string;
  readonly up: boolean;
}

/** An address appeared on or disappeared from an interface (anyone's doing: ours, an operator's `ip addr`). */
export interface AddressChange {
  readonly kind: 'added' | 'removed';
  readonly address: InterfaceAddress;
}

/**
 * The host's addresses and links: netlink on a real host, the simulated host's table in the simulator.
 * Adding an address that is present, or removing one that is absent, is not an error (idempotent).
 */
export interface AddressManager {
  addAddress(address: InterfaceAddress): Promise<void>;
  removeAddress(address: InterfaceAddress): Promise<void>;
  /** IPv4 primary address, or IPv6 link-local address, of an interface (RFC 5798 §5.1.1.1, §5.1.2.1). */
  primaryAddress(interfaceName: string, family: IpFamily): string | undefined;
  isUp(interfaceName: string): boolean;
  readonly linkEvents$: Observable<LinkEvent>;
  /**
   * The link state read from the kernel now, not from notifications (keepalived linkbeat polling): by the PHY's MII
   * registers, the carrier (what ETHTOOL_GLINK reports) or the interface flags alone, the first the interface
   * supports from `type` on (keepalived's order without a type: MII, ETHTOOL, IOCTL), and administratively up.
   */
  pollCarrier?(interfaceName: string, type?: LinkbeatType): boolean;
  /** Whether the interface holds the address now (keepalived `track_src_ip` follows it). */
  hasAddress?(interfaceName: string, address: string): boolean;
  /** Every address change on any interface (keepalived `track_src_ip`). */
  readonly addressEvents$?: Observable<AddressChange>;
}

/** Gratuitous ARP (IPv4) and unsolicited neighbour advertisements (IPv6) for addresses we now hold. */
export interface Announcer {
  announce(interfaceName: string, addresses: readonly InterfaceAddress[]): void;
}

/** linkbeat_interfaces' polling types (keepalived vrrp_if.c LB_MII, LB_ETHTOOL, LB_IOCTL). */
export type LinkbeatType = 'MII' | 'ETHTOOL' | 'IOCTL';
