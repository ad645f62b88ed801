/**
 * A simulated host: interfaces attached to LAN segments, and the transports the VRRP runtime needs (VRRP link,
 * address manager, announcer) implemented over them. A crashed host is silent and deaf; like a real one whose
 * keepalived was killed, it keeps whatever addresses it had until it restarts (a reboot clears them). Each
 * interface has a MAC of its own (02:00:00:00:host:interface, locally administered); announcements go on the
 * segment as the real announcer's frames (protocol/ethernet-frames.ts) from that MAC.
 */
import { Subject, type Observable } from 'rxjs';
import type { AddressChange, AddressManager, Announcer, InterfaceAddress, LinkEvent } from '../transport/address-manager.js';
import { multicastGroupOf, sendTtlOf, type ReceivedPacket, type SendError, type VrrpChannel, type VrrpChannelOptions, type VrrpLink } from '../transport/vrrp-link.js';
import { VRRP_PROTOCOL } from '../protocol/vrrp-types.js';
import { IPPROTO_AH, openAhDatagram } from '../protocol/ipsec-ah.js';
import { isMulticastIp, type IpFamily } from '../protocol/ip.js';
import { buildGratuitousArp, buildUnsolicitedNa } from '../protocol/ethernet-frames.js';
import { macFromString } from '../protocol/ip-bytes.js';
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
  /** A macvlan / ipvlan: the interface it is on. */
  readonly parent?: string;
}

export class SimHost implements AddressManager, Announcer, VrrpLink {
  alive = true;
  readonly announcements: { interface: string; addresses: string[] }[] = [];
  /** The host's VIP firewall tables: they outlive a crashed node, a reboot clears them. */
  readonly nftables = new SimulatedNftables();
  private readonly interfaces = new Map<string, SimInterface>();
  private readonly linkSubject = new Subject<LinkEvent>();
  readonly linkEvents$: Observable<LinkEvent> = this.linkSubject.asObservable();
  private readonly addressSubject = new Subject<AddressChange>();
  readonly addressEvents$: Observable<AddressChange> = this.addressSubject.asObservable();
  /** Configured addresses taken off by hand (`ip addr del`), by interface. */
  private readonly removedConfigured = new Map<string, Set<string>>();

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
   * A link event (down) tells the runtime, as netlink's RTM_DELLINK does. Its macvlans and ipvlans go with it,
   * as the kernel deletes them.
   */
  deleteInterface(interfaceName: string): void {
    const i = this.interfaces.get(interfaceName);
    if (!i || !i.present) return;
    for (const child of this.interfaces.values()) if (child.parent === interfaceName) this.deleteInterface(child.name);
    const removed = this.removedConfigured.get(interfaceName);
    const held: InterfaceAddress[] = [...i.vips.values()];
    for (const c of i.configured) if (!i.vips.has(c.address) && !removed?.has(c.address)) held.push({ ...c, interface: interfaceName });
    i.segment.detach(i.port);
    i.present = false;
    i.vips.clear();
    // As the kernel's RTM_DELADDRs for the addresses that went with it (track_src_ip hears them).
    for (const address of held) this.addressSubject.next({ kind: 'removed', address });
    this.linkSubject.next({ interface: interfaceName, up: false });
  }

  /**
   * The interface created again under its name, up, with its configured addresses (not the VIPs): a new
   * attachment, which channels bound to the old one do not see until they are refreshed. Its macvlans and ipvlans
   * come back with it, as the daemon creates them again (actors/daemon/host-setup.ts restoreVmacs).
   */
  createInterface(interfaceName: string): void {
    const i = this.interfaces.get(interfaceName);
    if (!i || i.present) return;
    const port = i.segment.attach(this.name, interfaceName);
    for (const a of i.configured) port.addresses.add(a.address);
    port.addresses.add(i.linkLocal);
    i.port = port;
    i.present = true;
    this.removedConfigured.delete(interfaceName);
    for (const c of i.configured) this.addressSubject.next({ kind: 'added', address: { ...c, interface: interfaceName } });
    this.linkSubject.next({ interface: interfaceName, up: true });
    for (const child of this.interfaces.values()) if (child.parent === interfaceName) this.createInterface(child.name);
  }

  /** The interface's current attachment; undefined while it is deleted. */
  portOf(interfaceName: string): SegmentPort | undefined {
    const i = this.interfaces.get(interfaceName);
    return i?.present ? i.port : undefined;
  }

  /**
   * A macvlan or ipvlan on one of the host's interfaces (use_vmac, use_vmac_addr, use_ipvlan): a port of its own on
   * the parent's segment, with the MAC given (an ipvlan: the parent's) and the ipvlan's own address. It has the
   * parent's link-local address (keepalived gives an IPv6 VMAC its parent's) and follows the parent's link.
   */
  addVirtualInterface(name: string, parentName: string, mac: string | undefined, address: ConfiguredAddress | undefined): void {
    const parent = this.interfaces.get(parentName);
    if (!parent || !parent.present || this.interfaces.has(name)) return;
    const port = parent.segment.attach(this.name, name);
    port.up = parent.port.up;
    const configured = address ? [address] : [];
    for (const a of configured) port.addresses.add(a.address);
    port.addresses.add(parent.linkLocal);
    const bytes = mac !== undefined ? macFromString(mac) : parent.mac;
    this.interfaces.set(name, {
      name,
      segment: parent.segment,
      port,
      present: true,
      configured,
      primary4: configured.find((c) => c.family === 4)?.address,
      linkLocal: parent.linkLocal,
      mac: bytes,
      vips: new Map(),
      parent: parentName,
    });
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

  /** `silent`: a driver that does not report its carrier to netlink (what keepalived's linkbeat polls for). */
  setLink(interfaceName: string, up: boolean, silent = false): void {
    const i = this.interfaces.get(interfaceName);
    if (!i || !i.present || i.port.up === up) return;
    i.port.up = up;
    if (!silent) this.linkSubject.next({ interface: interfaceName, up });
    for (const child of this.interfaces.values()) if (child.parent === interfaceName) this.setLink(child.name, up);
  }

  pollCarrier(interfaceName: string): boolean {
    return this.isUp(interfaceName);
  }

  /** An operator takes a configured address off the interface (`ip addr del`), or puts it back. */
  setConfiguredAddress(interfaceName: string, address: string, present: boolean): void {
    const i = this.interfaces.get(interfaceName);
    const configured = i?.configured.find((c) => c.address === address);
    if (!i || !configured) return;
    const removed = this.removedConfigured.get(interfaceName) ?? new Set<string>();
    if (removed.has(address) !== present) return;
    if (present) {
      removed.delete(address);
      i.port.addresses.add(address);
    } else {
      removed.add(address);
      if (!i.vips.has(address)) i.port.addresses.delete(address);
    }
    this.removedConfigured.set(interfaceName, removed);
    this.addressSubject.next({ kind: present ? 'added' : 'removed', address: { ...configured, interface: interfaceName } });
  }

  hasAddress(interfaceName: string, address: string): boolean {
    const i = this.interfaces.get(interfaceName);
    if (!i || !i.present) return false;
    if (i.vips.has(address)) return true;
    return i.configured.some((c) => c.address === address) && !(this.removedConfigured.get(interfaceName)?.has(address) ?? false);
  }

  // AddressManager

  addAddress(address: InterfaceAddress): Promise<void> {
    const i = this.interfaces.get(address.interface);
    if (!i || !i.present) return Promise.reject(Object.assign(new Error(`no interface ${address.interface} on ${this.name}`), { code: 'ENODEV' }));
    const had = this.hasAddress(address.interface, address.address);
    i.vips.set(address.address, address);
    i.port.addresses.add(address.address);
    if (!had) this.addressSubject.next({ kind: 'added', address });
    return Promise.resolve();
  }

  removeAddress(address: InterfaceAddress): Promise<void> {
    const i = this.interfaces.get(address.interface);
    if (!i || !i.present) return Promise.resolve();
    const had = this.hasAddress(address.interface, address.address);
    if (i.vips.delete(address.address) && !i.configured.some((c) => c.address === address.address)) {
      i.port.addresses.delete(address.address);
    }
    if (had && !this.hasAddress(address.interface, address.address)) this.addressSubject.next({ kind: 'removed', address });
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

/** What a simulated host's IPv6 unicast hop limit is when none is set: Linux's net.ipv6.conf.*.hop_limit. */
const SYSTEM_HOP_LIMIT_V6 = 64;

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
  /** TTL / hop limit of what this channel sends (RFC 5798 §5.1.1.3; unicast_ttl, transport/vrrp-link.ts). */
  private readonly ttl: number;

  constructor(
    private readonly host: SimHost,
    private readonly options: VrrpChannelOptions,
  ) {
    this.ttl = sendTtlOf(options) ?? SYSTEM_HOP_LIMIT_V6;
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
    const unicast = options.unicastPeers.length > 0;
    const group = unicast ? undefined : multicastGroupOf(options);
    const protocol = options.ipsecAh ? IPPROTO_AH : VRRP_PROTOCOL;
    this.unlisten = port.listen((frame: Frame) => {
      if (!host.alive || frame.family !== options.family || (frame.protocol ?? VRRP_PROTOCOL) !== protocol) return;
      // Multicast mode hears its own group (mcast_dst_ip); unicast mode hears packets sent to this host.
      if (group === undefined ? isMulticastIp(frame.destination) : frame.destination !== group) return;
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
    port.send({ family, source, destination, ttl: this.ttl, bytes });
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
