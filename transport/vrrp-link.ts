import type { Observable } from 'rxjs';
import type { IpFamily } from '../protocol/ip.js';
import { canonicalIp } from '../protocol/ip.js';
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6 } from '../protocol/vrrp-types.js';


/** One VRRP packet as it came off the wire, before any check of RFC 5798 §7.1. */
export interface ReceivedPacket {
  /** The VRRP message (IP header, and AH header if any, stripped). */
  readonly bytes: Uint8Array;
  readonly family: IpFamily;
  /** Textual source address of the IP packet. */
  readonly source: string;
  /** Textual destination address (the channel's multicast group, or our unicast address). */
  readonly destination: string;
  /** TTL (IPv4) or hop limit (IPv6) as received. */
  readonly ttl: number;
  /** Name of the interface it arrived on. */
  readonly interface: string;
  /**
   * Channels opened with `ipsecAh`: the whole IPv4 datagram as received, IP and AH headers included (what the
   * AH ICV covers); `bytes` is the VRRP message inside it.
   */
  readonly datagram?: Uint8Array | undefined;
}

export interface VrrpChannelOptions {
  readonly interface: string;
  readonly family: IpFamily;
  /** Source address to send from (`unicast_src_ip`, else the interface's primary / link-local address). */
  readonly sourceAddress: string;
  /** Unicast peers (`unicast_peer`); empty means multicast to `multicastGroup` (RFC 5798 §5.1.1.2). */
  readonly unicastPeers: readonly string[];
  /**
   * Multicast mode: the group joined, sent to and heard (`mcast_dst_ip`, else global_defs `vrrp_mcast_group4` /
   * `vrrp_mcast_group6`); absent means 224.0.0.18 / ff02::12. A multicast channel hears no other group.
   */
  readonly multicastGroup?: string | undefined;
  /**
   * Unicast mode: the TTL / hop limit sent with (`unicast_ttl`, 0–255). Absent: 255 for IPv4 and the system's
   * hop limit for IPv6, as keepalived 2.2.7 (which sets no hop limit on its IPv6 unicast socket).
   */
  readonly unicastTtl?: number | undefined;
  /**
   * keepalived `auth_type AH` (IPv4, VRRPv2): the channel carries IP protocol 51 instead of 112. `send` then takes
   * whole IPv4 datagrams (IP header with TTL, AH header, VRRP message: protocol/ipsec-ah.ts) and sends them as
   * they are; received packets carry `datagram`. AH packets without VRRP inside are ignored.
   */
  readonly ipsecAh?: boolean | undefined;
}

/** A send the host refused (interface gone, address gone, buffer full, …): reported, never thrown at the sender. */
export interface SendError {
  readonly destination: string;
  /** The errno name (ENODEV, ENXIO, EADDRNOTAVAIL, ENOBUFS, …), or 'unknown'. */
  readonly code: string;
  readonly error: Error;
}

/**
 * One open VRRP endpoint on one interface and address family, shared by every instance there; the runtime
 * routes its packets by VRID. Multicast sends use TTL / hop limit 255 (RFC 5798 §5.1.1.3), unicast ones
 * `unicastTtl` or its default.
 *
 * A channel is bound to the interface that had its name when it was bound. An interface can be deleted and
 * created again under the same name (a new interface index): the channel is then deaf and mute until `refresh`
 * binds it to the new one, as keepalived closes an instance's sockets when its interface goes and opens them
 * again when it comes back (vrrp_if.c cleanup_lost_interface, update_added_interface).
 */
export interface VrrpChannel {
  readonly packets$: Observable<ReceivedPacket>;
  /**
   * Sends one VRRP message (an `ipsecAh` channel: one whole IPv4 datagram) to `destination`, from `source` when
   * given (the address the message was built for: the VRRP checksum covers it), else from the channel's
   * `sourceAddress`.
   */
  send(destination: string, bytes: Uint8Array, source?: string): void;
  /**
   * Whether the channel is bound to its interface and can send: false while the interface does not exist (deleted,
   * a VMAC not created yet) or could not be bound. Its instances are in FAULT meanwhile (keepalived: an instance
   * whose socket is closed is down, vrrp_if.c).
   */
  readonly usable: boolean;
  /** Every change of `usable`. */
  readonly usable$: Observable<boolean>;
  readonly sendErrors$: Observable<SendError>;
  /**
   * The interface may have gone or come back (a link event named it): bind to the interface that has the name
   * now, or become unusable if there is none. Nothing happens when the binding is still the right one.
   */
  refresh(): void;
  /**
   * Packets the host dropped before they could be read because the receive buffer was full (a real socket's
   * SO_RXQ_OVFL), over the channel's life. Absent: the link cannot tell (the simulator loses nothing).
   */
  readonly kernelDrops?: number;
  /**
   * keepalived's VRRP socket receive buffer (actors/vrrp/receive-buffer.ts): SO_RCVBUF of `bytes` plus
   * `mtuMultiple` times the interface's MTU, kept across rebinds. Absent where there is no socket (the simulator).
   */
  setReceiveBuffer?(bytes: number, mtuMultiple: number): void;
  close(): void;
}

/** Opens VRRP channels: raw sockets on a real host, a LAN segment in the simulator. */
export interface VrrpLink {
  open(options: VrrpChannelOptions): VrrpChannel;
}

/** The group a multicast channel joins, sends to and hears, in canonical text (what a link reports as destination). */
export function multicastGroupOf(options: Pick<VrrpChannelOptions, 'family' | 'multicastGroup'>): string {
  const group = options.multicastGroup ?? (options.family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6);
  return canonicalIp(group) ?? group;
}

/**
 * The TTL / hop limit a channel sends with: 255 in multicast mode; in unicast mode `unicastTtl`, else 255 for
 * IPv4 and undefined for IPv6 (the system's hop limit, net.ipv6.conf.*.hop_limit).
 */
export function sendTtlOf(options: Pick<VrrpChannelOptions, 'family' | 'unicastPeers' | 'unicastTtl'>): number | undefined {
  if (options.unicastPeers.length === 0) return 255;
  return options.unicastTtl ?? (options.family === 4 ? 255 : undefined);
}
