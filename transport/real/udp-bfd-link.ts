/**
 * The BFD link over UDP sockets of the addon (native/src/raw_ip_socket.cc opened for protocol 17): recvmsg with
 * IP_RECVTTL / IPV6_RECVHOPLIMIT gives each packet's TTL for GTSM (RFC 5881 §5), which Node's dgram cannot. One
 * listener per family on 3784 and 4784; one sender per session bound to its source address and a random free
 * port in 49152–65535 (RFC 5881 §4), as keepalived's bfd_open_fd_out picks it (a random start, then the next
 * free one).
 */
import { openRawIpSocket, type RawIpSocket } from '../../native/index.js';
import { Subject } from '../subject.js';
import type { IpFamily } from '../../protocol/ip.js';
import type { Random } from '../random.js';
import type { SendError } from '../vrrp-link.js';
import {
  BFD_MULTIHOP_PORT,
  BFD_SINGLE_HOP_PORT,
  bfdPortOf,
  pickSourcePort,
  type BfdLink,
  type BfdReceivedPacket,
  type BfdSender,
  type BfdSenderOptions,
} from '../bfd-link.js';

const IPPROTO_UDP = 17;

function errnoName(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

export interface UdpBfdLinkOptions {
  /** Picks the first source port tried. */
  readonly random: Random;
  /** Families to listen on (default both; a host without IPv6 skips it). */
  readonly families?: readonly IpFamily[];
}

export class UdpBfdLink implements BfdLink {
  private readonly subject = new Subject<BfdReceivedPacket>();
  readonly packets$ = this.subject.asObservable();
  private readonly listeners: RawIpSocket[] = [];
  private readonly senders = new Set<UdpBfdSender>();
  /** Listeners that could not be opened (family, port, errno), e.g. IPv6 disabled or the port taken. */
  readonly listenErrors: string[] = [];

  constructor(private readonly options: UdpBfdLinkOptions) {
    for (const family of options.families ?? [4, 6]) {
      for (const port of [BFD_SINGLE_HOP_PORT, BFD_MULTIHOP_PORT]) {
        try {
          const socket = openRawIpSocket(family, IPPROTO_UDP, (bytes, source, destination, ttl, _ifindex, sourcePort) => {
            this.subject.next({ bytes: new Uint8Array(bytes), family, source, sourcePort, destination, port, ttl: ttl < 0 ? undefined : ttl });
          });
          try {
            socket.bind('', port);
          } catch (error) {
            socket.close();
            throw error;
          }
          socket.start();
          this.listeners.push(socket);
        } catch (error) {
          this.listenErrors.push(`IPv${family} port ${port}: ${errnoName(error)}`);
        }
      }
    }
  }

  openSender(options: BfdSenderOptions): BfdSender {
    const socket = openRawIpSocket(options.family, IPPROTO_UDP, () => undefined);
    try {
      socket.setHopLimit(options.ttl);
      pickSourcePort(this.options.random, (port) => {
        try {
          socket.bind(options.localAddress ?? '', port);
          return true;
        } catch (error) {
          if (errnoName(error) !== 'EADDRINUSE') throw error;
          return false;
        }
      });
    } catch (error) {
      socket.close();
      throw error;
    }
    const sender = new UdpBfdSender(socket, options, () => this.senders.delete(sender));
    this.senders.add(sender);
    return sender;
  }

  close(): void {
    for (const s of this.listeners.splice(0)) s.close();
    for (const s of [...this.senders]) s.close();
    this.subject.complete();
  }
}

class UdpBfdSender implements BfdSender {
  private readonly errors = new Subject<SendError>();
  readonly sendErrors$ = this.errors.asObservable();
  readonly sourcePort: number;
  private readonly port: number;
  private closed = false;

  constructor(
    private readonly socket: RawIpSocket,
    private readonly options: BfdSenderOptions,
    private readonly onClose: () => void,
  ) {
    this.sourcePort = socket.localPort();
    this.port = bfdPortOf(options.multihop);
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      // The source goes in IP_PKTINFO too: an empty one there (0.0.0.0) would let the route choose the source
      // address over the one the socket is bound to (a secondary `source_ip` went out from the primary).
      this.socket.send(bytes, this.options.remoteAddress, 0, this.options.localAddress ?? '', this.port);
    } catch (error) {
      this.errors.next({ destination: this.options.remoteAddress, code: errnoName(error), error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.errors.complete();
    this.onClose();
  }
}

/**
 * The BFD worker's link (actors/daemon/bfd-worker.ts loads a module with this export; tests give one of their
 * own): the UDP link, and a line for each listener it could not open.
 */
export function createBfdLink(random: Random): { link: BfdLink; warnings: readonly string[] } {
  const link = new UdpBfdLink({ random });
  return { link, warnings: link.listenErrors.map((e) => `BFD: cannot listen: ${e}`) };
}
