/**
 * A simulated host: interfaces attached to LAN segments, and the transports the VRRP runtime needs (VRRP link,
 * address manager, announcer) implemented over them. A crashed host is silent and deaf; like a real one whose
 * keepalived was killed, it keeps whatever addresses it had until it restarts (a reboot clears them). Each
 * interface has a MAC of its own (02:00:00:00:host:interface, locally administered); announcements go on the
 * segment as the real announcer's frames (protocol/frames.ts) from that MAC.
 */
import { Subject, type Observable } from 'rxjs';
import type { AddressManager, Announcer, InterfaceAddress, LinkEvent } from '../transport/address-manager.js';
import { type ReceivedPacket, type SendError, type VrrpChannel, type VrrpChannelOptions, type VrrpLink } from '../transport/vrrp-link.js';
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6, VRRP_PROTOCOL } from '../protocol/vrrp-types.js';
import { IPPROTO_AH, openAhDatagram } from '../protocol/ipsec-ah.js';
import type { IpFamily } from '../protocol/ip.js';
import { buildGratuitousArp, buildUnsolicitedNa } from '../protocol/frames.js';
import type { Frame, LanSegment, SegmentPort } from './lan-segment.js';
import { SimulatedNftables } from './simulated-vip-firewall.js';

export interface ConfiguredAddress {
  readonly address: string;
  readonly prefix: number;
  readonly family: IpFamily;
}

interface SimInterface {
  readonly name: string;
  readonly segment: LanSegment;
  /** The interface's attachment to its segment; a new one when the interface is deleted and created again. */
  port: SegmentPort;
  /** False while the interface is deleted. */
  present: boolean;
  readonly configured: readonly ConfiguredAddress[];
  /** The first configured IPv4 address: the primary (asked for on every advertisement received). */
  readonly primary4: string | undefined;
  readonly linkLocal: string;
  readonly mac: Uint8Array;
  readonly vips: Map<string, InterfaceAddress>;
}

export class SimHost implements AddressManager, Announcer, VrrpLink {
  alive = true;
  readonly announcements: { interface: string; addresses: string[] }[] = [];
  /** The host's VIP firewall tables: they outlive a crashed node, a reboot clears them. */
  readonly nftables = new SimulatedNftables();
  private readonly interfaces = new Map<string, SimInterface>();
  private readonly linkSubject = new Subject<LinkEvent>();
  readonly linkEvents$: Observable<LinkEvent> = this.linkSubject.asObservable();

  constructor(
    readonly name: string,
    private readonly index: number,
  ) {}

  addInterface(name: string, segment: LanSegment, configured: readonly ConfiguredAddress[]): void {
    const port = segment.attach(this.name, name);
    // A stable, unique IPv6 link-local address per host and interface (RFC 5798 §5.1.2.1 sends from it).
    const linkLocal = `fe80::${(this.index + 1).toString(16)}:${(this.interfaces.size + 1).toString(16)}`;
    for (const a of configured) port.addresses.add(a.address);
    port.addresses.add(linkLocal);
    const mac = Uint8Array.of(0x02, 0, 0, 0, (this.index + 1) & 0xff, (this.interfaces.size + 1) & 0xff);
    const primary4 = configured.find((c) => c.family === 4)?.address;
    this.interfaces.set(name, { name, segment, port, present: true, configured, primary4, linkLocal, mac, vips: new Map() });
  }

  /**
   * `ip link del`: the interface and every address on it are gone; channels bound to it hear and send nothing.
   * A link event (down) tells the runtime, as netlink's RTM_DELLINK does.
   */
  deleteInterface(interfaceName: string): void {
    const i = this.interfaces.get(interfaceName);
    if (!i || !i.present) return;
    i.segment.detach(i.port);
    i.present = false;
    i.vips.clear();
    this.linkSubject.next({ interface: interfaceName, up: false });
  }

  /**
   * The interface created again under its name, up, with its configured addresses (not the VIPs): a new
   * attachment, which channels bound to the old one do not see until they are refreshed.
   */
  createInterface(interfaceName: string): void {
    const i = this.interfaces.get(interfaceName);
    if (!i || i.present) return;
    const port = i.segment.attach(this.name, interfaceName);
    for (const a of i.configured) port.addresses.add(a.address);
    port.addresses.add(i.linkLocal);
    i.port = port;
    i.present = true;
    this.linkSubject.next({ interface: interfaceName, up: true });
  }

  /** The interface's current attachment; undefined while it is deleted. */
  portOf(interfaceName: string): SegmentPort | undefined {
    const i = this.interfaces.get(interfaceName);
    return i?.present ? i.port : undefined;
  }

  /** The MAC of an interface. */
  macOf(interfaceName: string): Uint8Array | undefined {
    return this.interfaces.get(interfaceName)?.mac;
  }

  interfaceNames(): string[] {
    return [...this.interfaces.keys()];
  }

  /** Addresses currently added by VRRP on this host, per interface. */
  heldAddresses(): string[] {
    const out: string[] = [];
    for (const i of this.interfaces.values()) out.push(...i.vips.keys());
    return out;
  }

  crash(): void {
    this.alive = false;
  }

  /** A reboot: alive again, with only the configured addresses. Returns the VIPs it lost. */
  restart(): string[] {
    const lost: string[] = [];
    for (const i of this.interfaces.values()) {
      for (const address of i.vips.keys()) {
        lost.push(address);
        i.port.addresses.delete(address);
      }
      i.vips.clear();
    }
    this.nftables.reboot();
    this.alive = true;
    return lost;
  }

  setLink(interfaceName: string, up: boolean): void {
    const i = this.interfaces.get(interfaceName);
    if (!i || !i.present || i.port.up === up) return;
    i.port.up = up;
    this.linkSubject.next({ interface: interfaceName, up });
  }

  // AddressManager

  addAddress(address: InterfaceAddress): Promise<void> {
    const i = this.interfaces.get(address.interface);
    if (!i || !i.present) return Promise.reject(Object.assign(new Error(`no interface ${address.interface} on ${this.name}`), { code: 'ENODEV' }));
    i.vips.set(address.address, address);
    i.port.addresses.add(address.address);
    return Promise.resolve();
  }

  removeAddress(address: InterfaceAddress): Promise<void> {
    const i = this.interfaces.get(address.interface);
    if (!i || !i.present) return Promise.resolve();
    if (i.vips.delete(address.address) && !i.configured.some((c) => c.address === address.address)) {
      i.port.addresses.delete(address.address);
    }
    return Promise.resolve();
  }

  primaryAddress(interfaceName: string, family: IpFamily): string | undefined {
    const i = this.interfaces.get(interfaceName);
    if (!i || !i.present) return undefined;
    if (family === 6) return i.linkLocal;
    return i.primary4;
  }

  isUp(interfaceName: string): boolean {
    const i = this.interfaces.get(interfaceName);
    return i !== undefined && i.present && i.port.up;
  }

  // Announcer

  announce(interfaceName: string, addresses: readonly InterfaceAddress[]): void {
    if (!this.alive) return;
    this.announcements.push({ interface: interfaceName, addresses: addresses.map((a) => a.address) });
    const i = this.interfaces.get(interfaceName);
    // Like the real announcer: an unknown interface sends nothing; a down one, nothing either (the segment's rule).
    if (i === undefined || !i.present || !i.port.segment.carriesLinkFrames()) return;
    for (const a of addresses) i.port.sendLinkFrame(a.family === 4 ? buildGratuitousArp(i.mac, a.address) : buildUnsolicitedNa(i.mac, a.address));
  }

  // VrrpLink

  open(options: VrrpChannelOptions): VrrpChannel {
    if (!this.interfaces.has(options.interface)) throw new Error(`${this.name}: no interface ${options.interface}`);
    return new SimVrrpChannel(this, options);
  }
}

/**
 * A channel on a simulated interface, bound to its attachment of the moment as a raw socket is bound to an
 * interface index: after the interface is deleted and created again it hears nothing until `refresh`, and a send
 * on the dead attachment fails (ENXIO) and binds it again, as the real channel does.
 */
class SimVrrpChannel implements VrrpChannel {
  private readonly subject = new Subject<ReceivedPacket>();
  private readonly usableSubject = new Subject<boolean>();
  private readonly sendErrorSubject = new Subject<SendError>();
  readonly packets$: Observable<ReceivedPacket> = this.subject.asObservable();
  readonly usable$: Observable<boolean> = this.usableSubject.asObservable();
  readonly sendErrors$: Observable<SendError> = this.sendErrorSubject.asObservable();
  private port: SegmentPort | undefined;
  private unlisten: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly host: SimHost,
    private readonly options: VrrpChannelOptions,
  ) {
    this.bind(host.portOf(options.interface));
  }

  get usable(): boolean {
    return this.port !== undefined;
  }

  refresh(): void {
    if (this.closed) return;
    const current = this.host.portOf(this.options.interface);
    if (current === this.port) return;
    const was = this.usable;
    this.unlisten?.();
    this.unlisten = undefined;
    this.bind(current);
    if (this.usable !== was) this.usableSubject.next(this.usable);
  }

  private bind(port: SegmentPort | undefined): void {
    this.port = port;
    if (port === undefined) return;
    const { options, host } = this;
    const group = options.family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6;
    const unicast = options.unicastPeers.length > 0;
    const protocol = options.ipsecAh ? IPPROTO_AH : VRRP_PROTOCOL;
    this.unlisten = port.listen((frame: Frame) => {
      if (!host.alive || frame.family !== options.family || (frame.protocol ?? VRRP_PROTOCOL) !== protocol) return;
      // Multicast mode hears the group; unicast mode hears packets sent to this host.
      if (unicast ? frame.destination === group : frame.destination !== group) return;
      let bytes = frame.bytes;
      let datagram: Uint8Array | undefined;
      if (protocol === IPPROTO_AH) {
        // What the real link does with a protocol-51 datagram: split off the headers, keep the whole for the ICV.
        const opened = openAhDatagram(frame.bytes);
        if (!opened.ok) return;
        bytes = opened.payload;
        datagram = frame.bytes;
      }
      this.subject.next({
        bytes,
        family: frame.family,
        source: frame.source,
        destination: frame.destination,
        ttl: frame.ttl,
        interface: port.interfaceName,
        ...(datagram ? { datagram } : {}),
      });
    });
  }

  send(destination: string, bytes: Uint8Array, from?: string): void {
    if (!this.host.alive || this.closed) return;
    const port = this.port;
    if (port === undefined || port !== this.host.portOf(this.options.interface)) {
      const code = port === undefined ? 'ENODEV' : 'ENXIO';
      this.sendErrorSubject.next({ destination, code, error: Object.assign(new Error(`sendmsg: ${code}`), { code }) });
      if (port !== undefined) this.refresh();
      return;
    }
    const { family, ipsecAh } = this.options;
    const source = from ?? this.options.sourceAddress;
    if (ipsecAh) {
      // A whole IPv4 datagram, sent as it is (IP_HDRINCL): its header holds the TTL.
      port.send({ family, source, destination, ttl: bytes[8] ?? 0, protocol: IPPROTO_AH, bytes });
      return;
    }
    port.send({ family, source, destination, ttl: 255, bytes });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten?.();
    this.subject.complete();
    this.usableSubject.complete();
    this.sendErrorSubject.complete();
  }
}
