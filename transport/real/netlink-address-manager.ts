/**
 * AddressManager over rtnetlink (the `netlink` npm package): adds and removes addresses, and keeps a cache of
 * links and addresses current from netlink notifications, so `primaryAddress` and `isUp` answer synchronously.
 *
 * Notifications are read as raw netlink messages (type included): the package's high-level rtnetlink event
 * drops the message type, and NEW vs DEL is exactly what the cache needs.
 *
 * Notifications can be lost: a burst larger than the socket's receive buffer overruns it (ENOBUFS). The cache is
 * then dumped again and every difference is told as an event, so that a link-down lost in the overrun still
 * reaches the instances (keepalived only logs the overrun, keepalived_netlink.c). Every socket has an error
 * listener, and every request a bound on its answer (NETLINK_REQUEST_TIMEOUT_MS).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Observable } from 'rxjs';
import { Subject } from '../subject.js';
import { createRtNetlink, parseMessages, Protocol, rt, type NetlinkMessage, type RtNetlinkSocket } from './netlink-package.js';
import { miiLinkStatus, openNetlinkMonitor, type NetlinkMonitor } from '../../native/index.js';
import { sizePackageSocket, type ReceiveBufferRequest } from './netlink-buffers.js';
import type { AddressManager, InterfaceAddress, LinkbeatType, LinkEvent } from '../address-manager.js';
import type { IpFamily } from '../../protocol/ip.js';
import { bytesToIp, ipFamilyOf, ipToBytes, ipv4Broadcast } from '../../protocol/ip-bytes.js';
import { AF_INET, AF_INET6, bounded, CREATE_EXCL, NETLINK_REQUEST_TIMEOUT_MS, netlinkErrorCode, scopeName, scopeNumber, tolerate } from './netlink-common.js';

/** An address as the kernel holds it. */
export interface ListedAddress extends InterfaceAddress {
  readonly scope: string;
  /** IFA_F_SECONDARY: another address of the same subnet came first (IPv4). */
  readonly secondary: boolean;
}

/** The lifetime the kernel calls infinite (INFINITY_LIFE_TIME). */
const FOREVER = 0xffffffff;

/**
 * The IFA_F_* flags of an address as keepalived adds it (vrrp_ipaddress.c netlink_ipaddress): the options given,
 * and IFA_F_NODAD on every IPv6 address unless `-nodad` — a VIP must be usable at once, and VRRP is its own
 * duplicate detection.
 */
function addressFlags(address: InterfaceAddress): rt.AddressFlags {
  const flags: rt.AddressFlags = {};
  if (address.family === 6 && address.dad !== true) flags.nodad = true;
  if (address.flags?.home === true) flags.homeaddress = true;
  if (address.flags?.mngtmpaddr === true) flags.managetempaddr = true;
  if (address.flags?.noprefixroute === true) flags.noprefixroute = true;
  if (address.flags?.autojoin === true) flags.mcautojoin = true;
  return flags;
}

export interface AddressEvent {
  readonly kind: 'added' | 'removed';
  readonly address: ListedAddress;
}

interface LinkState {
  name: string;
  /** IFF_UP and IFF_RUNNING (administratively up with carrier), as keepalived judges an interface. */
  up: boolean;
}

interface CachedAddress {
  readonly key: string;
  value: ListedAddress;
}

/** A file of the interface's sysfs directory, trimmed; undefined when it cannot be read (reading `carrier` of a down interface fails). */
function sysfs(interfaceName: string, file: string): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${interfaceName}/${file}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The PHY's MII link status, -1 when there is none (or no addon). */
function miiStatus(interfaceName: string): number {
  try {
    return miiLinkStatus(interfaceName);
  } catch {
    return -1;
  }
}

/**
 * keepalived init_linkbeat_status: MII when asked for or nothing was, if the PHY answers; else ETHTOOL when its
 * carrier can be read (asked for ETHTOOL and it cannot: MII if that answers); else IOCTL.
 */
export function linkbeatMethod(interfaceName: string, type: LinkbeatType | undefined): LinkbeatType {
  if (type === 'IOCTL') return 'IOCTL';
  if ((type === undefined || type === 'MII') && miiStatus(interfaceName) >= 0) return 'MII';
  if (existsSync(`/sys/class/net/${interfaceName}/carrier`)) return 'ETHTOOL';
  if (type === 'ETHTOOL' && miiStatus(interfaceName) >= 0) return 'MII';
  return 'IOCTL';
}

export interface NetlinkAddressManagerOptions {
  /** Keep the event loop alive for notifications (default false: the daemon's other handles do that). */
  readonly ref?: boolean;
  /**
   * SO_RCVBUF of the notification socket (default 1 MiB; the kernel doubles it). A burst of changes larger than it
   * is lost (ENOBUFS) and the cache is reloaded from a dump; tests make it small to provoke that.
   */
  readonly recvBufferSize?: number;
  /** How long a request waits for the kernel's answer (default NETLINK_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs?: number;
  /** Errors on the netlink sockets, and lost notifications, in a line each (the daemon logs them). */
  readonly onError?: (message: string) => void;
}

/** A resync dumps again while notifications keep arriving during its dumps, at most this many times. */
const MAX_DUMPS = 4;

/** What one dump of links and addresses says, in the cache's shape. */
interface Snapshot {
  readonly links: Map<number, LinkState>;
  readonly addresses: Map<number, CachedAddress[]>;
}

export class NetlinkAddressManager implements AddressManager {
  readonly #requests: RtNetlinkSocket;
  readonly #notifications: NetlinkMonitor;
  readonly #options: NetlinkAddressManagerOptions;
  readonly #timeoutMs: number;
  #links = new Map<number, LinkState>();
  /** Per interface index, in kernel order (dump order, then arrival order). */
  #addresses = new Map<number, CachedAddress[]>();
  readonly #linkEvents = new Subject<LinkEvent>();
  readonly #addressEvents = new Subject<AddressEvent>();
  /** Notifications that arrive while a dump runs; undefined when none runs. */
  #pending: NetlinkMessage[] | undefined = [];
  /** Notifications were lost while a dump ran: it must dump again. */
  #lostDuringDump = false;
  /** linkbeat: the method each polled interface supports, found at its first poll. */
  readonly #linkbeatMethods = new Map<string, LinkbeatType>();
  #closed = false;

  readonly linkEvents$: Observable<LinkEvent> = this.#linkEvents.asObservable();
  /** Every address appearing or disappearing on any interface (ours or anyone's). */
  readonly addressEvents$: Observable<AddressEvent> = this.#addressEvents.asObservable();

  /** How many times the cache was reloaded after lost notifications. */
  resyncs = 0;
  /** Errors the netlink sockets reported, by errno name (ENOBUFS: notifications lost). */
  readonly socketErrors: Record<string, number> = {};

  private constructor(options: NetlinkAddressManagerOptions) {
    this.#options = options;
    this.#timeoutMs = options.requestTimeoutMs ?? NETLINK_REQUEST_TIMEOUT_MS;
    this.#requests = createRtNetlink();
    // An unhandled 'error' event would end the process: a request socket's errors are reported (its requests
    // fail on their own, or time out).
    this.#requests.socket.on('error', (error) => this.#socketError('request', error));
    this.#notifications = this.#openNotifications();
  }

  /**
   * The notification socket: link and address changes of every interface, as raw messages (type included). The
   * addon's, not the package's: the package's socket ends the process on a receive buffer overrun
   * (native/src/netlink_monitor.cc says why).
   */
  #openNotifications(): NetlinkMonitor {
    const monitor = openNetlinkMonitor(
      Protocol.ROUTE,
      [rt.MulticastGroups.LINK, rt.MulticastGroups.IPV4_IFADDR, rt.MulticastGroups.IPV6_IFADDR],
      // A large receive buffer: a burst of notifications (many VIPs at once) must not overflow (ENOBUFS).
      this.#options.recvBufferSize ?? 1 << 20,
      (datagram) => this.#receive(datagram),
      (code, errno) => {
        if (this.#closed) return;
        this.#socketError('notification', Object.assign(new Error(`recvmsg: ${code} (errno ${errno})`), { code }));
        // Notifications were lost: reload the whole state and tell what changed meanwhile.
        this.#resync();
      },
    );
    if (this.#options.ref === true) monitor.ref();
    return monitor;
  }

  #receive(datagram: Buffer): void {
    if (this.#closed) return;
    let messages: NetlinkMessage[];
    try {
      messages = parseMessages(datagram);
    } catch (error) {
      this.#socketError('notification', Object.assign(new Error(`a notification that does not parse: ${String(error)}`), { code: 'EBADMSG' }));
      this.#resync();
      return;
    }
    if (this.#pending !== undefined) this.#pending.push(...messages);
    else for (const m of messages) this.#apply(m.type, m.data, true);
  }

  #socketError(which: 'request' | 'notification', error: Error): string {
    const code = netlinkErrorCode(error) ?? 'unknown';
    this.socketErrors[code] = (this.socketErrors[code] ?? 0) + 1;
    const what = code === 'ENOBUFS' && which === 'notification' ? 'notifications lost (receive buffer overrun), links and addresses are reloaded' : error.message;
    this.#options.onError?.(`netlink ${which} socket: ${what}`);
    return code;
  }

  /** Opens the netlink sockets, subscribes to link and address notifications, and loads the current state. */
  static async open(options: NetlinkAddressManagerOptions = {}): Promise<NetlinkAddressManager> {
    const manager = new NetlinkAddressManager(options);
    try {
      await manager.#load(false);
    } catch (error) {
      manager.close();
      throw error;
    }
    return manager;
  }

  /** After lost notifications: the state dumped again, and every difference told as the notifications would have. */
  #resync(): void {
    if (this.#pending !== undefined) {
      this.#lostDuringDump = true; // the dump under way starts over
      return;
    }
    this.resyncs++;
    this.#pending = [];
    this.#load(true).catch((error: unknown) => {
      this.#pending = undefined;
      this.#options.onError?.(`netlink: reloading links and addresses failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /**
   * Dumps links and addresses until no notification came during a dump (each dump then holds every change
   * notified before it), and installs the result; `notify`: tell the differences with the cache as events.
   */
  async #load(notify: boolean): Promise<void> {
    for (let dump = 1; ; dump++) {
      this.#pending = [];
      this.#lostDuringDump = false;
      const links = await bounded('RTM_GETLINK (dump)', (o) => this.#requests.getLinks(undefined, undefined, o), this.#timeoutMs);
      const addresses = await bounded('RTM_GETADDR (dump)', (o) => this.#requests.getAddresses(undefined, undefined, o), this.#timeoutMs);
      if (this.#closed) return;
      const quiet = this.#pending.length === 0 && !this.#lostDuringDump;
      if (!quiet && dump < MAX_DUMPS) continue;
      const pending = this.#pending;
      this.#pending = undefined;
      this.#install(snapshot(links, addresses), notify);
      // Still busy after MAX_DUMPS: what came during the last dump is applied on top of it.
      for (const m of quiet ? [] : pending) this.#apply(m.type, m.data, notify);
      return;
    }
  }

  /** Replaces the cache with a dump's, telling what differs (links gone, come, up or down; addresses). */
  #install(next: Snapshot, notify: boolean): void {
    const before = { links: this.#links, addresses: this.#addresses };
    this.#links = next.links;
    this.#addresses = next.addresses;
    if (!notify) return;
    for (const [index, link] of before.links) {
      const now = next.links.get(index);
      if (now !== undefined && now.name === link.name) continue;
      // Deleted (or renamed): its addresses went with it.
      for (const a of before.addresses.get(index) ?? []) if (now === undefined) this.#addressEvents.next({ kind: 'removed', address: a.value });
      if (link.up || now === undefined) this.#linkEvents.next({ interface: link.name, up: false });
    }
    for (const [index, link] of next.links) {
      const was = before.links.get(index);
      if (was === undefined || was.name !== link.name || was.up !== link.up) this.#linkEvents.next({ interface: link.name, up: link.up });
    }
    for (const [index, list] of next.addresses) {
      const old = new Set((before.addresses.get(index) ?? []).map((a) => a.key));
      for (const a of list) if (!old.has(a.key)) this.#addressEvents.next({ kind: 'added', address: a.value });
    }
    for (const [index, list] of before.addresses) {
      if (!next.links.has(index)) continue; // told with its link
      const now = new Set((next.addresses.get(index) ?? []).map((a) => a.key));
      for (const a of list) if (!now.has(a.key)) this.#addressEvents.next({ kind: 'removed', address: a.value });
    }
  }

  #apply(type: number, data: Buffer, notify: boolean): void {
    switch (type) {
      case rt.MessageType.NEWLINK:
      case rt.MessageType.DELLINK:
        this.#applyLink(rt.parseLinkMessage(data), type === rt.MessageType.DELLINK, notify);
        break;
      case rt.MessageType.NEWADDR:
      case rt.MessageType.DELADDR:
        this.#applyAddress(rt.parseAddressMessage(data), type === rt.MessageType.DELADDR, notify);
        break;
      default:
        break;
    }
  }

  #applyLink(message: rt.LinkMessage, deleted: boolean, notify: boolean): void {
    const index = message.data.index;
    if (index === undefined) return;
    const previous = this.#links.get(index);
    if (deleted) {
      this.#links.delete(index);
      if (notify) for (const a of this.#addresses.get(index) ?? []) this.#addressEvents.next({ kind: 'removed', address: a.value });
      this.#addresses.delete(index);
      // Told even when it was down already: whoever follows the interface learns that it is gone.
      if (notify && previous !== undefined) this.#linkEvents.next({ interface: previous.name, up: false });
      return;
    }
    const state = linkState(message, previous);
    this.#links.set(index, state);
    if (!notify) return;
    // A renamed interface is gone under its old name (keepalived treats it as lost, keepalived_netlink.c).
    if (previous !== undefined && previous.name !== state.name && previous.up) this.#linkEvents.next({ interface: previous.name, up: false });
    if (previous?.up !== state.up || previous.name !== state.name) this.#linkEvents.next({ interface: state.name, up: state.up });
  }

  #applyAddress(message: rt.AddressMessage, deleted: boolean, notify: boolean): void {
    const listed = listedAddress(message, this.#links);
    const index = message.data.index;
    if (listed === undefined || index === undefined) return;
    const key = `${listed.address}/${listed.prefix}`;
    const list = this.#addresses.get(index) ?? [];
    const at = list.findIndex((a) => a.key === key);
    if (deleted) {
      if (at >= 0) {
        list.splice(at, 1);
        if (notify) this.#addressEvents.next({ kind: 'removed', address: listed });
      }
      return;
    }
    if (at >= 0) {
      const existing = list[at];
      if (existing !== undefined) existing.value = listed; // flags changed (a promoted secondary, …)
    } else {
      list.push({ key, value: listed });
      this.#addresses.set(index, list);
      if (notify) this.#addressEvents.next({ kind: 'added', address: listed });
    }
  }

  /** The kernel's index of the interface with this name, when it exists. */
  indexOf(interfaceName: string): number | undefined {
    return this.#indexOf(interfaceName);
  }

  #indexOf(interfaceName: string): number | undefined {
    for (const [index, link] of this.#links) if (link.name === interfaceName) return index;
    return undefined;
  }

  async #requireIndex(interfaceName: string): Promise<number> {
    let index = this.#indexOf(interfaceName);
    if (index === undefined) {
      // Created a moment ago and its notification has not been read yet.
      for (const link of await bounded('RTM_GETLINK (dump)', (o) => this.#requests.getLinks(undefined, undefined, o), this.#timeoutMs)) {
        if (link.attrs.ifname === interfaceName && link.data.index !== undefined) index = link.data.index;
      }
    }
    if (index === undefined) throw Object.assign(new Error(`no such interface: ${interfaceName}`), { code: 'ENODEV' });
    return index;
  }

  /**
   * The request for an address. Synchronous when the interface is known, so that the netlink message leaves (and
   * the kernel applies it, rtnetlink works inside sendmsg) before whatever the caller does next — gratuitous ARPs
   * must follow the address, not precede it.
   */
  #request(address: InterfaceAddress): { data: rt.Address; attrs: rt.AddressAttrs } | Promise<{ data: rt.Address; attrs: rt.AddressAttrs }> {
    const known = this.#indexOf(address.interface);
    if (known === undefined) return this.#requireIndex(address.interface).then((index) => this.#build(address, index));
    return this.#build(address, known);
  }

  #build(address: InterfaceAddress, index: number): { data: rt.Address; attrs: rt.AddressAttrs } {
    const family = ipFamilyOf(address.address);
    if (family !== address.family) throw new Error(`${address.address} is not an IPv${address.family} address`);
    const bytes = Buffer.from(ipToBytes(address.address));
    // IFA_ADDRESS is the prefix address: the peer's for a point-to-point address (`peer`), else our own.
    const peer = address.peer !== undefined ? Buffer.from(ipToBytes(address.peer)) : undefined;
    if (peer !== undefined && peer.length !== bytes.length) throw new Error(`peer ${address.peer} is not an IPv${family} address`);
    const attrs: rt.AddressAttrs = { local: bytes, address: peer ?? bytes };
    if (address.label !== undefined && family === 4) attrs.label = address.label;
    if (address.broadcast !== undefined && address.broadcast !== '-' && family === 4) {
      const broadcast = address.broadcast === '+' ? ipv4Broadcast(address.address, address.prefix) : address.broadcast;
      attrs.broadcast = Buffer.from(ipToBytes(broadcast));
    }
    const data: rt.Address = {
      family: family === 4 ? AF_INET : AF_INET6,
      prefixlen: address.prefix,
      scope: scopeNumber(address.scope),
      index,
    };
    const flags = addressFlags(address);
    if (Object.keys(flags).length > 0) attrs.flags = flags; // IFA_FLAGS (u32), as keepalived sends them
    // keepalived's IFA_CACHEINFO: a preferred lifetime other than forever, the valid one forever (IPv6 only).
    if (family === 6 && address.preferredLifetime !== undefined && address.preferredLifetime < FOREVER) {
      attrs.cacheInfo = { ifaPrefered: address.preferredLifetime, ifaValid: FOREVER, cstamp: 0, tstamp: 0 };
    }
    return { data, attrs };
  }

  /** Adds the address; one already present is not an error. */
  async addAddress(address: InterfaceAddress): Promise<void> {
    const request = this.#request(address);
    const { data, attrs } = request instanceof Promise ? await request : request;
    await tolerate(
      bounded(`RTM_NEWADDR ${address.address}`, (o) => this.#requests.newAddress(data, attrs, { ...o, flags: CREATE_EXCL }), this.#timeoutMs),
      ['EEXIST'],
    );
  }

  /** Removes the address; one already absent (its interface gone too) is not an error. */
  async removeAddress(address: InterfaceAddress): Promise<void> {
    let request: { data: rt.Address; attrs: rt.AddressAttrs } | Promise<{ data: rt.Address; attrs: rt.AddressAttrs }>;
    try {
      request = this.#request(address);
      if (request instanceof Promise) request = await request;
    } catch (error) {
      if (netlinkErrorCode(error) === 'ENODEV') return; // deleted with its interface
      throw error;
    }
    const { data, attrs } = request;
    // The kernel matches IFA_LOCAL and, for IPv4, IFA_ADDRESS (the peer of a point-to-point address) with the
    // prefix; the rest of an add's attributes (flags, lifetimes, broadcast) mean nothing to a delete.
    const removal: rt.AddressAttrs = { local: attrs.local, ...(data.family === AF_INET ? { address: attrs.address } : {}) };
    if (attrs.label !== undefined) removal.label = attrs.label;
    await tolerate(bounded(`RTM_DELADDR ${address.address}`, (o) => this.#requests.delAddress(data, removal, o), this.#timeoutMs), [
      'EADDRNOTAVAIL',
      'ENOENT',
      'ESRCH',
      'ENODEV',
    ]);
  }

  /**
   * IPv4: the first address that is not secondary (keepalived's choice, RFC 5798 §5.1.1.1).
   * IPv6: the first link-local address (RFC 5798 §5.1.2.1).
   */
  primaryAddress(interfaceName: string, family: IpFamily): string | undefined {
    const index = this.#indexOf(interfaceName);
    if (index === undefined) return undefined;
    const list = this.#addresses.get(index) ?? [];
    const found =
      family === 4
        ? list.find((a) => a.value.family === 4 && !a.value.secondary)
        : list.find((a) => a.value.family === 6 && /^fe[89ab]/i.test(a.value.address));
    return found?.value.address;
  }

  isUp(interfaceName: string): boolean {
    const index = this.#indexOf(interfaceName);
    return index !== undefined && this.#links.get(index)?.up === true;
  }

  /**
   * Read now, as keepalived's linkbeat (vrrp_if.c init_linkbeat_status, if_linkbeat_refresh_thread): the method is
   * found once per interface (a re-created one anew) from the configured type on: MII (the PHY's registers,
   * native/src/mii_status.cc), else ETHTOOL (sysfs `carrier`, the kernel's netif_carrier_ok, which is what
   * ETHTOOL_GLINK answers), else IOCTL (the flags alone); then the interface must be up (IFF_UP) as well.
   */
  pollCarrier(interfaceName: string, type?: LinkbeatType): boolean {
    if (!/^[^/\s]{1,15}$/.test(interfaceName) || interfaceName === '.' || interfaceName === '..') return false;
    const key = `${interfaceName}#${this.#indexOf(interfaceName) ?? 0}`;
    let method = this.#linkbeatMethods.get(key);
    if (method === undefined) {
      method = linkbeatMethod(interfaceName, type);
      this.#linkbeatMethods.set(key, method);
      if (type !== undefined && type !== method) this.#options.onError?.(`(${interfaceName}): Configured linkbeat type ${type} not supported, using ${method}`);
    }
    const link = method === 'MII' ? miiStatus(interfaceName) === 1 : method === 'ETHTOOL' ? sysfs(interfaceName, 'carrier') === '1' : true;
    const flags = Number.parseInt(sysfs(interfaceName, 'flags') ?? '0', 16);
    return link && (flags & 1) !== 0;
  }

  hasAddress(interfaceName: string, address: string): boolean {
    return this.listAddresses(interfaceName).some((a) => a.address === address);
  }

  /** The interface's addresses as the cache holds them (kernel order). */
  listAddresses(interfaceName: string): ListedAddress[] {
    const index = this.#indexOf(interfaceName);
    if (index === undefined) return [];
    return (this.#addresses.get(index) ?? []).map((a) => ({ ...a.value, interface: interfaceName }));
  }

  /** Names of the interfaces known now. */
  interfaces(): string[] {
    return [...this.#links.values()].map((l) => l.name);
  }

  /**
   * global_defs vrrp_netlink_monitor_rcv_bufs(_force) and vrrp_netlink_cmd_rcv_bufs(_force): the notification
   * socket's and the request socket's receive buffers, as keepalived sets them. Returns what the kernel set;
   * throws when a size cannot be set.
   */
  setReceiveBuffers(monitor: ReceiveBufferRequest | undefined, command: ReceiveBufferRequest | undefined): { monitor: number; command: number } {
    if (monitor) {
      const set = this.#notifications.setReceiveBufferSize;
      if (typeof set !== 'function') throw new Error('the vigil_native addon predates netlink receive buffer sizes: rebuild it (`npm run build:native`)');
      set.call(this.#notifications, monitor.bytes, monitor.force);
    }
    const raw = this.#requests.socket.socket;
    const commandSize = command ? sizePackageSocket(raw, command) : raw.getRecvBufferSize();
    return { monitor: this.#notifications.receiveBufferSize(), command: commandSize };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#notifications.close();
    this.#requests.socket.close();
    this.#linkEvents.complete();
    this.#addressEvents.complete();
  }
}

/** A link as the cache holds it. */
function linkState(message: rt.LinkMessage, previous: LinkState | undefined): LinkState {
  const index = message.data.index ?? 0;
  const name = message.attrs.ifname ?? previous?.name ?? `if${index}`;
  const flags = message.data.flags;
  return { name, up: flags?.up === true && flags.running === true };
}

/** An address message as the cache holds it; undefined when it names no interface or no address. */
function listedAddress(message: rt.AddressMessage, links: ReadonlyMap<number, LinkState>): ListedAddress | undefined {
  const index = message.data.index;
  const raw = message.attrs.local ?? message.attrs.address;
  if (index === undefined || raw === undefined) return undefined;
  const family: IpFamily = message.data.family === AF_INET ? 4 : 6;
  const address = bytesToIp(raw);
  const flags = message.attrs.flags ?? message.data.flags ?? {};
  return {
    address,
    prefix: message.data.prefixlen ?? (family === 4 ? 32 : 128),
    interface: links.get(index)?.name ?? `if${index}`,
    family,
    scope: scopeName(message.data.scope ?? 0),
    ...(message.attrs.label !== undefined && family === 4 ? { label: message.attrs.label } : {}),
    ...(message.attrs.broadcast !== undefined ? { broadcast: bytesToIp(message.attrs.broadcast) } : {}),
    secondary: flags.secondary === true,
  };
}

/** A dump in the cache's shape. */
function snapshot(links: readonly rt.LinkMessage[], addresses: readonly rt.AddressMessage[]): Snapshot {
  const out: Snapshot = { links: new Map(), addresses: new Map() };
  for (const link of links) {
    const index = link.data.index;
    if (index !== undefined) out.links.set(index, linkState(link, undefined));
  }
  for (const message of addresses) {
    const listed = listedAddress(message, out.links);
    const index = message.data.index;
    if (listed === undefined || index === undefined) continue;
    const list = out.addresses.get(index) ?? [];
    const key = `${listed.address}/${listed.prefix}`;
    if (!list.some((a) => a.key === key)) list.push({ key, value: listed });
    out.addresses.set(index, list);
  }
  return out;
}
