/**
 * VrrpLink over raw IP sockets (protocol 112) from the vigil_native addon, for IPv4 and IPv6 alike.
 *
 * The addon is used for IPv4 too (not raw-socket): raw-socket cannot choose the source address of a send
 * (`unicast_src_ip`), which needs sendmsg with IP_PKTINFO; one code path also gives the arrival interface.
 *
 * An `ipsecAh` channel (keepalived `auth_type AH`) is a protocol-51 socket: a protocol-112 socket never sees VRRP
 * inside AH. It sends with IP_HDRINCL, since the AH ICV covers IP header fields (identification, total length)
 * that the kernel would otherwise choose after the ICV is computed.
 *
 * A multicast channel joins its group (mcast_dst_ip, vrrp_mcast_group4/6) and ignores what a raw socket also
 * hears for other groups and for unicast addresses (keepalived binds its socket to the group); a unicast channel
 * ignores multicast (keepalived binds its socket to unicast_src_ip). A unicast channel sends with `unicast_ttl`; an
 * IPv4 TTL of 0, which IP_TTL refuses, goes out as keepalived sends it: with IP_HDRINCL and a header of our own.
 *
 * The socket is bound to the interface's index (SO_BINDTODEVICE, the multicast membership, the sends): when the
 * interface is deleted and created again it has a new index, and `refresh` (on a link event, or a send that fails
 * with ENODEV / ENXIO) opens a new socket bound to it.
 */
import { readFileSync } from 'node:fs';
import type { Observable } from 'rxjs';
import { Subject } from '../subject.js';
import { interfaceIndex, openRawIpSocket, RECEIVE_BATCH_SIZE, RECEIVE_META_STRIDE, ReceiveMeta, type RawIpSocket } from '../../native/index.js';
import { AddressText } from './address-text.js';
import { multicastGroupOf, sendTtlOf, type ReceivedPacket, type SendError, type VrrpChannel, type VrrpChannelOptions, type VrrpLink } from '../vrrp-link.js';
import { VRRP_PROTOCOL } from '../../protocol/vrrp-types.js';
import { IPPROTO_AH, openAhDatagram } from '../../protocol/ipsec-ah.js';
import { ipv4Datagram } from '../../protocol/ipv4-datagram.js';
import { bytesToIp, ipToBytes } from '../../protocol/ip-bytes.js';
import { isMulticastIp } from '../../protocol/ip.js';

export type { SendError } from '../vrrp-link.js';

/** RFC 5798 §5.2.8: the checksum field is at byte 6 of the VRRP message. */
const VRRP_CHECKSUM_OFFSET = 6;
const IPV4_MIN_HEADER = 20;

export interface RawVrrpLinkOptions {
  /**
   * TTL / hop limit of every sent packet, whatever the channel's own. Only tests set it (to check that receivers
   * see the real value).
   */
  readonly hopLimit?: number;
  /**
   * IPv6 only. When true (default) the kernel fills the checksum with the pseudo-header (IPV6_CHECKSUM 6) and
   * silently drops received packets whose checksum is wrong; when false the caller's checksum is sent as is.
   */
  readonly kernelChecksumV6?: boolean;
}

/** What a received IPv4 datagram tells about itself; undefined when it is not a sane IPv4 header. */
export function parseIpv4Header(
  packet: Uint8Array,
): { headerLength: number; ttl: number; protocol: number; source: string; destination: string } | undefined {
  if (packet.length < IPV4_MIN_HEADER || (packet[0] ?? 0) >> 4 !== 4) return undefined;
  const headerLength = ((packet[0] ?? 0) & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER || headerLength > packet.length) return undefined;
  return {
    headerLength,
    ttl: packet[8] ?? 0,
    protocol: packet[9] ?? 0,
    source: bytesToIp(packet.subarray(12, 16)),
    destination: bytesToIp(packet.subarray(16, 20)),
  };
}

/** Errors that mean the interface is gone (deleted, or re-created with a new index). */
const INTERFACE_GONE = new Set(['ENODEV', 'ENXIO']);

function errnoName(error: Error): string {
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : 'unknown';
}

/** The interface's MTU (/sys/class/net), 1500 when it cannot be read. */
function interfaceMtu(name: string): number {
  try {
    const mtu = Number.parseInt(readFileSync(`/sys/class/net/${name}/mtu`, 'utf8'), 10);
    return Number.isFinite(mtu) && mtu > 0 ? mtu : 1500;
  } catch {
    return 1500;
  }
}

export class RawVrrpChannel implements VrrpChannel {
  readonly #packets = new Subject<ReceivedPacket>();
  readonly #sendErrors = new Subject<SendError>();
  readonly #usable = new Subject<boolean>();
  /** The socket bound to the interface's current index; undefined while the interface does not exist. */
  #socket: RawIpSocket | undefined;
  #ifindex = 0;
  readonly #options: VrrpChannelOptions;
  readonly #linkOptions: RawVrrpLinkOptions;
  readonly #hopLimit: number | undefined;
  /** Multicast mode: the group joined (canonical text). */
  readonly #group: string | undefined;
  /** TTL / hop limit sent with; undefined: the system's (IPv6 unicast without unicast_ttl). */
  readonly #ttl: number | undefined;
  /** IPv4 unicast with TTL 0: each VRRP message is sent in an IPv4 header built here (IP_HDRINCL). */
  readonly #headerTtl: number | undefined;
  #closed = false;
  /** setReceiveBuffer's request, applied to every socket the channel opens; undefined: the addon's default. */
  #receiveBuffer: { bytes: number; mtuMultiple: number } | undefined;
  /** Datagrams dropped before decoding because their IPv4 (or AH) header was malformed. */
  malformed = 0;
  /** AH channels: AH datagrams for another protocol than VRRP, ignored as keepalived does. */
  notVrrp = 0;
  /** Packets for the other mode or another group, which a raw socket hears too; ignored. */
  foreignDestination = 0;
  sent = 0;
  sendFailures = 0;
  /** Times the socket was opened again for an interface that came (back) after the channel was opened. */
  rebinds = 0;
  /** Packets longer than the addon reads (9216 bytes): handed on with no bytes, dropped as `length`. */
  truncated = 0;
  /** What the kernel dropped at the sockets closed so far (receive queue full); the open one's is added. */
  #closedKernelDrops = 0;
  /** Batched receive (startBatched): each batch's packets are described here by the addon. */
  readonly #meta = new Int32Array(RECEIVE_BATCH_SIZE * RECEIVE_META_STRIDE);
  readonly #sourceText = new AddressText();
  readonly #destinationText = new AddressText();
  /** Multicast mode: the group's bytes, compared with each packet's destination. */
  readonly #groupBytes: Uint8Array | undefined;

  readonly packets$: Observable<ReceivedPacket> = this.#packets.asObservable();
  /** Send failures (interface down, address gone, …): counted and reported here, never thrown at the caller. */
  readonly sendErrors$: Observable<SendError> = this.#sendErrors.asObservable();
  readonly usable$: Observable<boolean> = this.#usable.asObservable();

  /**
   * Opens the channel. An interface that does not exist (yet) gives an unusable channel that `refresh` binds once
   * it does; any other failure to set the socket up is thrown.
   */
  constructor(options: VrrpChannelOptions, linkOptions: RawVrrpLinkOptions) {
    this.#options = options;
    this.#linkOptions = linkOptions;
    if (options.ipsecAh && options.family !== 4) throw new RangeError('AH authentication is IPv4 only');
    this.#hopLimit = linkOptions.hopLimit;
    const unicast = options.unicastPeers.length > 0;
    this.#group = unicast ? undefined : multicastGroupOf(options);
    this.#groupBytes = this.#group === undefined ? undefined : ipToBytes(this.#group);
    this.#ttl = linkOptions.hopLimit ?? sendTtlOf(options);
    this.#headerTtl = this.#ttl === 0 && options.family === 4 && !options.ipsecAh ? 0 : undefined;
    const ifindex = interfaceIndex(options.interface);
    this.#ifindex = ifindex;
    if (ifindex === 0) return;
    try {
      this.#socket = this.#open(ifindex);
    } catch (error) {
      // Deleted between the lookup and the bind: as if it had not been there.
      if (!(error instanceof Error && INTERFACE_GONE.has(errnoName(error)))) throw error;
    }
  }

  /**
   * VRRP packets the kernel dropped because the socket's receive queue was full (SO_RXQ_OVFL), over every socket
   * this channel opened. 0 with an addon that predates the counter.
   */
  get kernelDrops(): number {
    return this.#closedKernelDrops + (this.#socket?.receiveDrops?.() ?? 0);
  }

  /** Closes the socket, keeping its drop count. */
  #closeSocket(): void {
    this.#closedKernelDrops += this.#socket?.receiveDrops?.() ?? 0;
    this.#socket?.close();
    this.#socket = undefined;
  }

  get usable(): boolean {
    return this.#socket !== undefined;
  }

  /** The index of the interface the socket is bound to; 0 while unusable. */
  get interfaceIndex(): number {
    return this.#socket === undefined ? 0 : this.#ifindex;
  }

  refresh(): void {
    if (this.#closed) return;
    const ifindex = interfaceIndex(this.#options.interface);
    if (ifindex !== 0 && ifindex === this.#ifindex && this.#socket !== undefined) return;
    const was = this.usable;
    this.#closeSocket();
    this.#ifindex = ifindex;
    if (ifindex !== 0) {
      try {
        this.#socket = this.#open(ifindex);
        this.rebinds++;
      } catch (error) {
        // Gone again in between, or the kernel refused: unusable until the next refresh.
        const e = error instanceof Error ? error : new Error(String(error));
        this.#sendErrors.next({ destination: '', code: errnoName(e), error: e });
      }
    }
    if (this.usable !== was) this.#usable.next(this.usable);
  }

  setReceiveBuffer(bytes: number, mtuMultiple: number): void {
    this.#receiveBuffer = bytes > 0 || mtuMultiple > 0 ? { bytes, mtuMultiple } : undefined;
    if (this.#socket !== undefined) this.#applyReceiveBuffer(this.#socket);
  }

  /** SO_RCVBUF of the bound socket as the kernel set it; undefined while unusable. */
  receiveBufferSize(): number | undefined {
    return this.#socket?.receiveBufferSize?.();
  }

  #applyReceiveBuffer(socket: RawIpSocket): void {
    const wanted = this.#receiveBuffer;
    if (wanted === undefined) return;
    if (typeof socket.setReceiveBufferSize !== 'function') throw new Error('the vigil_native addon predates receive buffer sizes: rebuild it (`npm run build:native`)');
    const mtu = wanted.mtuMultiple > 0 ? interfaceMtu(this.#options.interface) : 0;
    socket.setReceiveBufferSize(Math.min(0x7fffffff, wanted.bytes + wanted.mtuMultiple * mtu), false);
  }

  /** A raw socket bound to the interface of this index: SO_BINDTODEVICE by name, multicast membership by index. */
  #open(ifindex: number): RawIpSocket {
    const options = this.#options;
    const socket = openRawIpSocket(options.family, options.ipsecAh ? IPPROTO_AH : VRRP_PROTOCOL, (bytes, source, destination, ttl) =>
      this.#receive(bytes, source, destination, ttl),
    );
    try {
      if (options.ipsecAh || this.#headerTtl !== undefined) {
        if (typeof socket.setHeaderIncluded !== 'function') {
          throw new Error('the vigil_native addon predates IP_HDRINCL sends (no setHeaderIncluded): rebuild it (`npm run build:native`)');
        }
        socket.setHeaderIncluded(true);
      }
      this.#applyReceiveBuffer(socket);
      // Only this interface's packets (keepalived binds its receive socket the same way).
      socket.bindToDevice(options.interface);
      // IPv6 unicast without unicast_ttl keeps the system's hop limit, as keepalived's socket does.
      if (this.#ttl !== undefined && this.#headerTtl === undefined) socket.setHopLimit(this.#ttl);
      socket.setMulticastLoop(false); // else every sender hears itself
      if (options.family === 6 && this.#linkOptions.kernelChecksumV6 !== false) socket.setChecksumOffset(VRRP_CHECKSUM_OFFSET);
      if (this.#group !== undefined) {
        socket.setMulticastInterface(ifindex);
        socket.joinGroup(this.#group, ifindex);
      }
      // Batches (one JS call per recvmmsg) when the addon has them; a packet at a time with an older one.
      if (typeof socket.startBatched === 'function') socket.startBatched(this.#meta, (data, count) => this.#receiveBatch(data, count));
      else socket.start();
    } catch (error) {
      socket.close();
      throw error;
    }
    return socket;
  }

  get options(): VrrpChannelOptions {
    return this.#options;
  }

  /** A multicast channel hears its own group only; a unicast channel, no multicast. */
  #foreign(destination: string): boolean {
    return this.#group === undefined ? isMulticastIp(destination) : destination !== this.#group;
  }

  #receive(bytes: Buffer, source: string, destination: string, ttl: number): void {
    if (this.#options.family === 4) {
      // A raw IPv4 socket hands over the IP header: TTL and destination are read from it, then it is stripped.
      const header = parseIpv4Header(bytes);
      if (header === undefined) {
        this.malformed++;
        return;
      }
      if (this.#foreign(header.destination)) {
        this.foreignDestination++;
        return;
      }
      if (this.#options.ipsecAh) {
        this.#receiveAh(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), header);
        return;
      }
      this.#packets.next({
        bytes: new Uint8Array(bytes.buffer, bytes.byteOffset + header.headerLength, bytes.length - header.headerLength),
        family: 4,
        source: header.source,
        destination: header.destination,
        ttl: header.ttl,
        interface: this.#options.interface,
      });
      return;
    }
    if (this.#foreign(destination)) {
      this.foreignDestination++;
      return;
    }
    this.#packets.next({
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      family: 6,
      source,
      destination,
      ttl,
      interface: this.#options.interface,
    });
  }

  /** One batch from the addon: `count` packets in `data`, described in #meta (native/index.ts ReceiveMeta). */
  #receiveBatch(data: Buffer, count: number): void {
    const meta = this.#meta;
    const v4 = this.#options.family === 4;
    for (let i = 0; i < count && !this.#closed; i++) {
      const m = i * RECEIVE_META_STRIDE;
      const at = meta[m + ReceiveMeta.offset]!;
      const length = meta[m + ReceiveMeta.length]!;
      const truncated = meta[m + ReceiveMeta.truncated] === 1;
      if (truncated) this.truncated++;
      if (v4) this.#receiveV4(data, at, length, truncated);
      else this.#receiveV6(data, at, length, meta[m + ReceiveMeta.ttl]!, truncated);
    }
  }

  /**
   * An IPv4 datagram at `at` of `data` (header included). The same checks as #receive, on the bytes: a flood is
   * mostly packets that go no further than this and the decoder, and each string made here is paid per packet.
   */
  #receiveV4(data: Buffer, at: number, length: number, truncated: boolean): void {
    const version = length >= IPV4_MIN_HEADER ? data[at]! >> 4 : 0;
    const headerLength = (data[at]! & 0x0f) * 4;
    if (version !== 4 || headerLength < IPV4_MIN_HEADER || headerLength > length) {
      this.malformed++;
      return;
    }
    const group = this.#groupBytes;
    const d = at + 16;
    const foreign =
      group === undefined
        ? data[d]! >= 224 && data[d]! <= 239
        : data[d] !== group[0] || data[d + 1] !== group[1] || data[d + 2] !== group[2] || data[d + 3] !== group[3];
    if (foreign) {
      this.foreignDestination++;
      return;
    }
    const destination = this.#group ?? this.#destinationText.of(data, d, 4);
    const source = this.#sourceText.of(data, at + 12, 4);
    if (this.#options.ipsecAh) {
      const datagram = new Uint8Array(data.buffer, data.byteOffset + at, length);
      this.#receiveAh(datagram, { ttl: data[at + 8]!, source, destination });
      return;
    }
    this.#packets.next({
      bytes: truncated ? new Uint8Array(0) : new Uint8Array(data.buffer, data.byteOffset + at + headerLength, length - headerLength),
      family: 4,
      source,
      destination,
      ttl: data[at + 8]!,
      interface: this.#options.interface,
    });
  }

  /** An IPv6 VRRP message at `at` of `data`, its source and destination addresses in the 32 bytes before it. */
  #receiveV6(data: Buffer, at: number, length: number, ttl: number, truncated: boolean): void {
    const destination = this.#destinationText.of(data, at - 16, 16);
    if (this.#foreign(destination)) {
      this.foreignDestination++;
      return;
    }
    this.#packets.next({
      bytes: truncated ? new Uint8Array(0) : new Uint8Array(data.buffer, data.byteOffset + at, length),
      family: 6,
      source: this.#sourceText.of(data, at - 32, 16),
      destination,
      ttl,
      interface: this.#options.interface,
    });
  }

  #receiveAh(datagram: Uint8Array, header: { ttl: number; source: string; destination: string }): void {
    const opened = openAhDatagram(datagram);
    if (!opened.ok) {
      if (opened.reason === 'not_vrrp') this.notVrrp++;
      else this.malformed++;
      return;
    }
    this.#packets.next({
      bytes: opened.payload,
      family: 4,
      source: header.source,
      destination: header.destination,
      ttl: header.ttl,
      interface: this.#options.interface,
      datagram,
    });
  }

  send(destination: string, bytes: Uint8Array, source?: string): void {
    if (this.#closed) return;
    if (this.#options.ipsecAh && this.#hopLimit !== undefined && bytes[8] !== this.#hopLimit) {
      // Tests only: the TTL lives in the datagram's own header here (in multicast mode the ICV covers it).
      bytes = Uint8Array.from(bytes);
      bytes[8] = this.#hopLimit;
    }
    if (this.#socket === undefined) this.refresh(); // the interface may be back and its link event not read yet
    const socket = this.#socket;
    if (socket === undefined) {
      // Like keepalived with its socket closed (vrrp.c vrrp_send_adv): nothing goes out; the instances are in FAULT.
      this.#failed(destination, Object.assign(new Error(`${this.#options.interface}: no such interface`), { code: 'ENODEV' }));
      return;
    }
    try {
      const from = source ?? this.#options.sourceAddress;
      if (this.#headerTtl !== undefined) bytes = ipv4Datagram(bytes, { source: from, destination, ttl: this.#headerTtl });
      socket.send(bytes, destination, this.#ifindex, from === '' ? undefined : from);
      this.sent++;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.#failed(destination, e);
      // The interface may have gone under the socket (a lost or late link event; a deleted one gives ENETUNREACH, a
      // re-created one ENODEV): bind again, or become unusable. A look-up by name; nothing if the binding still holds.
      this.refresh();
    }
  }

  #failed(destination: string, error: Error): void {
    this.sendFailures++;
    this.#sendErrors.next({ destination, code: errnoName(error), error });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeSocket();
    this.#packets.complete();
    this.#sendErrors.complete();
    this.#usable.complete();
  }
}

export class RawVrrpLink implements VrrpLink {
  constructor(private readonly linkOptions: RawVrrpLinkOptions = {}) {}

  open(options: VrrpChannelOptions): RawVrrpChannel {
    return new RawVrrpChannel(options, this.linkOptions);
  }
}
