import type { Observable } from 'rxjs';
import type { IpFamily } from '../protocol/ip.js';


/** One VRRP packet as it came off the wire, before any check of RFC 5798 §7.1. */
export interface ReceivedPacket {
  /** The VRRP message (IP header, and AH header if any, stripped). */
  readonly bytes: Uint8Array;
  readonly family: IpFamily;
  /** Textual source address of the IP packet. */
  readonly source: string;
  /** Textual destination address (224.0.0.18, ff02::12, or our unicast address). */
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
  /** Unicast peers (`unicast_peer`); empty means multicast to 224.0.0.18 / ff02::12 (RFC 5798 §5.1.1.2). */
  readonly unicastPeers: readonly string[];
  /**
   * keepalived `auth_type AH` (IPv4, VRRPv2): the channel carries IP protocol 51 instead of 112. `send` then takes
   * whole IPv4 datagrams (IP header with TTL, AH header, VRRP message: protocol/ipsec-ah.ts) and sends them as
   * they are; received packets carry `datagram`. AH packets without VRRP inside are ignored.
   */
  readonly ipsecAh?: boolean | undefined;
}

/**
 * One open VRRP endpoint on one interface and address family, shared by every instance there; the runtime
 * routes its packets by VRID. Sends always use TTL / hop limit 255 (RFC 5798 §5.1.1.3).
 */
export interface VrrpChannel {
  readonly packets$: Observable<ReceivedPacket>;
  /** Sends one VRRP message (an `ipsecAh` channel: one whole IPv4 datagram) to `destination`. */
  send(destination: string, bytes: Uint8Array): void;
  close(): void;
}

/** Opens VRRP channels: raw sockets on a real host, a LAN segment in the simulator. */
export interface VrrpLink {
  open(options: VrrpChannelOptions): VrrpChannel;
}
