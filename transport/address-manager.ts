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
}

/**
 * A link came up or went down; also told when an interface is deleted (down, even if it was down already) and when
 * one appears (with its state), so that channels and VMACs bound to a name follow a deleted and re-created one.
 */
export interface LinkEvent {
  readonly interface: string;
  readonly up: boolean;
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
}

/** Gratuitous ARP (IPv4) and unsolicited neighbour advertisements (IPv6) for addresses we now hold. */
export interface Announcer {
  announce(interfaceName: string, addresses: readonly InterfaceAddress[]): void;
}
