/**
 * The simulated BFD link (transport/bfd-link.ts) on a host's LAN segment ports: control packets travel as UDP
 * frames (protocol 17 with ports) with the TTL they were sent with (a segment is one hop), and the listener hears
 * those that reach one of the host's addresses on 3784 or 4784. Source ports are drawn from the seeded stream, as
 * the real link draws them, and are never reused while taken.
 */
import { Subject } from '../transport/subject.js';
import type { Random } from '../transport/random.js';
import type { SendError } from '../transport/vrrp-link.js';
import {
  BFD_MULTIHOP_PORT,
  BFD_SINGLE_HOP_PORT,
  bfdPortOf,
  pickSourcePort,
  type BfdLink,
  type BfdReceivedPacket,
  type BfdSender,
  type BfdSenderOptions,
} from '../transport/bfd-link.js';
import { canonicalIp, isMulticastIp } from '../protocol/ip.js';
import type { Frame, SegmentPort } from './lan-segment.js';

const UDP = 17;

export class SimulatedBfdLink implements BfdLink {
  private readonly subject = new Subject<BfdReceivedPacket>();
  readonly packets$ = this.subject.asObservable();
  private readonly unlisten: (() => void)[] = [];
  private readonly taken = new Set<number>();

  constructor(
    private readonly ports: readonly SegmentPort[],
    private readonly random: Random,
  ) {
    for (const port of ports) {
      this.unlisten.push(
        port.listen((frame: Frame) => {
          const udp = frame.udp;
          if (frame.protocol !== UDP || udp === undefined) return;
          if (udp.destinationPort !== BFD_SINGLE_HOP_PORT && udp.destinationPort !== BFD_MULTIHOP_PORT) return;
          this.subject.next({
            bytes: frame.bytes,
            family: frame.family,
            source: frame.source,
            sourcePort: udp.sourcePort,
            destination: frame.destination,
            port: udp.destinationPort,
            ttl: frame.ttl,
          });
        }),
      );
    }
  }

  /** The port a sender goes out of: the one holding its source address, else the first one. */
  private portFor(options: BfdSenderOptions): SegmentPort | undefined {
    const local = options.localAddress === undefined ? undefined : (canonicalIp(options.localAddress) ?? options.localAddress);
    return this.ports.find((p) => local !== undefined && p.addresses.has(local)) ?? this.ports[0];
  }

  private sourceOf(port: SegmentPort, options: BfdSenderOptions): string | undefined {
    if (options.localAddress !== undefined) return canonicalIp(options.localAddress) ?? options.localAddress;
    const v4 = (a: string): boolean => !a.includes(':');
    const fits = [...port.addresses].filter((a) => (options.family === 4 ? v4(a) : !v4(a)) && !isMulticastIp(a));
    return fits.find((a) => !a.startsWith('fe80:')) ?? fits[0];
  }

  openSender(options: BfdSenderOptions): BfdSender {
    const chosen = pickSourcePort(this.random, (candidate) => !this.taken.has(candidate));
    this.taken.add(chosen);
    const errors = new Subject<SendError>();
    const destination = canonicalIp(options.remoteAddress) ?? options.remoteAddress;
    const destinationPort = bfdPortOf(options.multihop);
    let closed = false;
    return {
      sourcePort: chosen,
      sendErrors$: errors.asObservable(),
      send: (bytes) => {
        if (closed) return;
        const port = this.portFor(options);
        const source = port === undefined ? undefined : this.sourceOf(port, options);
        if (port === undefined || source === undefined) {
          errors.next({ destination, code: 'EADDRNOTAVAIL', error: new Error(`no IPv${options.family} source for ${destination}`) });
          return;
        }
        port.send({ family: options.family, source, destination, ttl: options.ttl, protocol: UDP, udp: { sourcePort: chosen, destinationPort }, bytes: Uint8Array.from(bytes) });
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.taken.delete(chosen);
        errors.complete();
      },
    };
  }

  close(): void {
    for (const u of this.unlisten.splice(0)) u();
    this.subject.complete();
  }
}
