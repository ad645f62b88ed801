/**
 * The BFD link contract: control packets over UDP (RFC 5881 single hop, RFC 5883 multihop). A node has one
 * listener per family and port, shared by every session (the runtime picks the session by Your Discriminator or
 * by addresses, RFC 5880 §6.8.6), and one sender per session, bound to its source address and a source port in
 * 49152–65535 that it keeps for its life (RFC 5881 §4). The real implementation is transport/real/udp-bfd-link.ts,
 * the simulated one sim/simulated-bfd-link.ts.
 */
import type { Observable } from 'rxjs';
import type { IpFamily } from '../protocol/ip.js';
import type { Random } from './random.js';
import type { SendError } from './vrrp-link.js';

/** RFC 5881 §4: single-hop control packets go to UDP 3784. */
export const BFD_SINGLE_HOP_PORT = 3784;
/** RFC 5883 §5: multihop control packets go to UDP 4784. */
export const BFD_MULTIHOP_PORT = 4784;
/** RFC 5881 §4: the source port range. */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;

/** One control packet as it came off the wire, before any check of RFC 5880 §6.8.6. */
export interface BfdReceivedPacket {
  /** The UDP payload. */
  readonly bytes: Uint8Array;
  readonly family: IpFamily;
  readonly source: string;
  readonly sourcePort: number;
  /** Our address it was sent to. */
  readonly destination: string;
  /** The port it arrived on: 3784 (single hop) or 4784 (multihop). */
  readonly port: number;
  /** TTL / hop limit as received (GTSM, RFC 5881 §5); undefined when the socket could not tell. */
  readonly ttl: number | undefined;
}

export interface BfdSenderOptions {
  readonly family: IpFamily;
  /** The neighbor (`neighbor_ip`). */
  readonly remoteAddress: string;
  /** Our source address (`source_ip`); absent: the kernel's choice. */
  readonly localAddress?: string | undefined;
  /** TTL / hop limit sent (255 single hop, RFC 5881 §5; keepalived `ttl` / `hoplimit`). */
  readonly ttl: number;
  /** Send to 4784 (RFC 5883) instead of 3784. */
  readonly multihop: boolean;
}

/** One session's sending socket. */
export interface BfdSender {
  /** The source port, in 49152–65535. */
  readonly sourcePort: number;
  send(bytes: Uint8Array): void;
  readonly sendErrors$: Observable<SendError>;
  close(): void;
}

export interface BfdLink {
  /**
   * Control packets arriving for this node on 3784 and 4784, either family, from the making of the link until
   * `close`.
   */
  readonly packets$: Observable<BfdReceivedPacket>;
  openSender(options: BfdSenderOptions): BfdSender;
  close(): void;
}

/** The port a session's packets go to. */
export function bfdPortOf(multihop: boolean): number {
  return multihop ? BFD_MULTIHOP_PORT : BFD_SINGLE_HOP_PORT;
}

/**
 * RFC 5881 §4: a sender's source port, as keepalived's bfd_open_fd_out picks it: a random start in 49152–65535,
 * then each next one (wrapping) until `take` accepts one. Throws EADDRINUSE when none is accepted.
 */
export function pickSourcePort(random: Random, take: (port: number) => boolean): number {
  const span = BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1;
  const first = Math.floor(random.next() * span);
  for (let i = 0; i < span; i++) {
    const port = BFD_SOURCE_PORT_MIN + ((first + i) % span);
    if (take(port)) return port;
  }
  throw Object.assign(new Error('no free BFD source port in 49152-65535'), { code: 'EADDRINUSE' });
}
