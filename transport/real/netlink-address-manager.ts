/**
 * AddressManager over rtnetlink (the `netlink` npm package): adds and removes addresses, and keeps a cache of
 * links and addresses current from netlink notifications, so `primaryAddress` and `isUp` answer synchronously.
 *
 * Notifications are read as raw netlink messages (type included): the package's high-level rtnetlink event
 * drops the message type, and NEW vs DEL is exactly what the cache needs.
 */
import { readFileSync } from 'node:fs';
import type { Observable } from 'rxjs';
import { Subject } from '../subject.js';
import { createNetlink, createRtNetlink, Protocol, rt, type NetlinkMessage, type NetlinkSocket, type RtNetlinkSocket } from './netlink-package.js';
import type { AddressManager, InterfaceAddress, LinkEvent } from '../address-manager.js';
import type { IpFamily } from '../../protocol/ip.js';
import { bytesToIp, ipFamilyOf, ipToBytes, ipv4Broadcast } from '../../protocol/ip-bytes.js';
import { AF_INET, AF_INET6, CREATE_EXCL, scopeName, scopeNumber, tolerate } from './netlink-common.js';

/** An address as the kernel holds it. */
export interface ListedAddress extends InterfaceAddress {
  readonly scope: string;
  /** IFA_F_SECONDARY: another address of the same subnet came first (IPv4). */
  readonly secondary: boolean;
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

export interface NetlinkAddressManagerOptions {
  /** Keep the event loop alive for notifications (default false: the daemon's other handles do that). */
  readonly ref?: boolean;
}

export class NetlinkAddressManager implements AddressManager {
  readonly #requests: RtNetlinkSocket;
  readonly #notifications: NetlinkSocket;
  readonly #links = new Map<number, LinkState>();
  /** Per interface index, in kernel order (dump order, then arrival order). */
  readonly #addresses = new Map<number, CachedAddress[]>();
  readonly #linkEvents = new Subject<LinkEvent>();
  readonly #addressEvents = new Subject<AddressEvent>();
  /** Notifications that arrive while the initial dump runs are applied after it, in order. */
  #pending: NetlinkMessage[] | undefined = [];
  #closed = false;

  readonly linkEvents$: Observable<LinkEvent> = this.#linkEvents.asObservable();
  /** Every address appearing or disappearing on any interface (ours or anyone's). */
  readonly addressEvents$: Observable<AddressEvent> = this.#addressEvents.asObservable();

  private constructor(options: NetlinkAddressManagerOptions) {
    this.#requests = createRtNetlink();
    // A large receive buffer: a burst of notifications (many VIPs at once) must not overflow (ENOBUFS).
    this.#notifications = createNetlink(Protocol.ROUTE, {
      ref: options.ref === true,
      recvBufferSize: 1 << 20,
      sendBufferSize: 0,
    });
    for (const group of [rt.MulticastGroups.LINK, rt.MulticastGroups.IPV4_IFADDR, rt.MulticastGroups.IPV6_IFADDR]) {
      this.#notifications.socket.addMembership(group);
    }
    this.#notifications.on('message', (messages) => {
      if (this.#pending !== undefined) this.#pending.push(...messages);
      else for (const m of messages) this.#apply(m.type, m.data, true);
    });
    // ENOBUFS means notifications were lost: reload the whole state (an unhandled 'error' would crash us).
    this.#notifications.on('error', () => {
      if (this.#closed || this.#pending !== undefined) return;
      this.resyncs++;
      this.#pending = [];
      this.#load().catch(() => {
        this.#pending = undefined;
      });
    });
  }

  /** How many times the cache was reloaded after lost notifications. */
  resyncs = 0;

  /** Opens the netlink sockets, subscribes to link and address notifications, and loads the current state. */
  static async open(options: NetlinkAddressManagerOptions = {}): Promise<NetlinkAddressManager> {
    const manager = new NetlinkAddressManager(options);
    try {
      await manager.#load();
    } catch (error) {
      manager.close();
      throw error;
    }
    return manager;
  }

  async #load(): Promise<void> {
    this.#links.clear();
    this.#addresses.clear();
    const links = await this.#requests.getLinks();
    for (const link of links) this.#applyLink(link, false, false);
    const addresses = await this.#requests.getAddresses();
    for (const address of addresses) this.#applyAddress(address, false, false);
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    for (const m of pending) this.#apply(m.type, m.data, true);
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
      for (const a of this.#addresses.get(index) ?? []) this.#addressEvents.next({ kind: 'removed', address: a.value });
      this.#addresses.delete(index);
      if (notify && previous?.up === true) this.#linkEvents.next({ interface: previous.name, up: false });
      return;
    }
    const name = message.attrs.ifname ?? previous?.name ?? `if${index}`;
    const flags = message.data.flags;
    const up = flags?.up === true && flags.running === true;
    this.#links.set(index, { name, up });
    if (notify && previous?.up !== up) this.#linkEvents.next({ interface: name, up });
  }

  #applyAddress(message: rt.AddressMessage, deleted: boolean, notify: boolean): void {
    const index = message.data.index;
    const raw = message.attrs.local ?? message.attrs.address;
    if (index === undefined || raw === undefined) return;
    const family: IpFamily = message.data.family === AF_INET ? 4 : 6;
    const address = bytesToIp(raw);
    const flags = message.attrs.flags ?? message.data.flags ?? {};
    const listed: ListedAddress = {
      address,
      prefix: message.data.prefixlen ?? (family === 4 ? 32 : 128),
      interface: this.#links.get(index)?.name ?? `if${index}`,
      family,
      scope: scopeName(message.data.scope ?? 0),
      ...(message.attrs.label !== undefined && family === 4 ? { label: message.attrs.label } : {}),
      ...(message.attrs.broadcast !== undefined ? { broadcast: bytesToIp(message.attrs.broadcast) } : {}),
      secondary: flags.secondary === true,
    };
    const key = `${address}/${listed.prefix}`;
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

  #indexOf(interfaceName: string): number | undefined {
    for (const [index, link] of this.#links) if (link.name === interfaceName) return index;
    return undefined;
  }

  async #requireIndex(interfaceName: string): Promise<number> {
    let index = this.#indexOf(interfaceName);
    if (index === undefined) {
      // Created a moment ago and its notification has not been read yet.
      for (const link of await this.#requests.getLinks()) {
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
    const attrs: rt.AddressAttrs = { local: bytes, address: bytes };
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
    // A virtual IPv6 address must be usable at once: no duplicate address detection (IFA_F_NODAD).
    if (family === 6) {
      data.flags = { nodad: true };
      attrs.flags = { nodad: true };
    }
    return { data, attrs };
  }

  /** Adds the address; one already present is not an error. */
  async addAddress(address: InterfaceAddress): Promise<void> {
    const request = this.#request(address);
    const { data, attrs } = request instanceof Promise ? await request : request;
    await tolerate(this.#requests.newAddress(data, attrs, { flags: CREATE_EXCL }), ['EEXIST']);
  }

  /** Removes the address; one already absent is not an error. */
  async removeAddress(address: InterfaceAddress): Promise<void> {
    const request = this.#request(address);
    const { data, attrs } = request instanceof Promise ? await request : request;
    delete data.flags;
    delete attrs.flags;
    await tolerate(this.#requests.delAddress(data, attrs), ['EADDRNOTAVAIL', 'ENOENT', 'ESRCH']);
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
   * sysfs, read now: IFF_UP in `flags` and `carrier` (the kernel's netif_carrier_ok, which is also what
   * ETHTOOL_GLINK answers for nearly every driver). Reading `carrier` of an interface that is down fails.
   */
  pollCarrier(interfaceName: string): boolean {
    if (!/^[^/\s]{1,15}$/.test(interfaceName) || interfaceName === '.' || interfaceName === '..') return false;
    try {
      const flags = Number.parseInt(readFileSync(`/sys/class/net/${interfaceName}/flags`, 'utf8').trim(), 16);
      if ((flags & 1) === 0) return false;
      return readFileSync(`/sys/class/net/${interfaceName}/carrier`, 'utf8').trim() === '1';
    } catch {
      return false;
    }
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

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#notifications.close();
    this.#requests.socket.close();
    this.#linkEvents.complete();
    this.#addressEvents.complete();
  }
}
