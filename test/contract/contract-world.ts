/**
 * The transport contracts of a host (VrrpLink, AddressManager, Announcer) seen through one small async interface,
 * so that the same suites (link-address-contract.ts, announcer-contract.ts) run against the simulated world and
 * against real namespaces alike. What a host holds and what reaches the other host are read from the world (the
 * kernel, the simulated segment), never from the implementation under test.
 */
import type { InterfaceAddress, LinkEvent } from '../../transport/address-manager.js';
import type { ReceivedPacket, VrrpChannelOptions } from '../../transport/vrrp-link.js';
import type { IpFamily } from '../../protocol/ip.js';

export interface ContractHost {
  readonly name: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly ipv6LinkLocal: string;
  /** The MAC of its eth0, aa:bb:cc:dd:ee:ff. */
  readonly mac: string;
  open(options: VrrpChannelOptions): Promise<number>;
  send(channel: number, destination: string, bytes: Uint8Array): Promise<void>;
  /** Packets received on a channel so far. */
  received(channel: number): ReceivedPacket[];
  close(channel: number): Promise<void>;
  addAddress(address: InterfaceAddress): Promise<void>;
  removeAddress(address: InterfaceAddress): Promise<void>;
  primaryAddress(interfaceName: string, family: IpFamily): Promise<string | undefined>;
  isUp(interfaceName: string): Promise<boolean>;
  /** Every address the interface really holds, one entry per copy: the kernel's list, or the segment's port. */
  held(interfaceName: string): Promise<string[]>;
  announce(interfaceName: string, addresses: readonly InterfaceAddress[]): Promise<void>;
  setLink(up: boolean): Promise<void>;
  linkEvents(): LinkEvent[];
  /** `ip link del eth0`: the interface and its addresses are gone. */
  deleteInterface(): Promise<void>;
  /** eth0 created again with its configured addresses (a new interface index), up. */
  createInterface(): Promise<void>;
  /** What the runtime does on a link event: the channel binds to the interface that has its name now. Returns `usable`. */
  refresh(channel: number): Promise<boolean>;
}

export interface ContractWorld {
  readonly a: ContractHost;
  readonly b: ContractHost;
  /** Lets time pass so that packets and events arrive (virtual time in the simulator, real time otherwise). */
  settle(ms: number): Promise<void>;
  /**
   * Lets time pass until `done()` holds, calling `retry` now and then (about every 200 ms) if given. Bounded: a
   * broken implementation fails, it does not hang.
   */
  until(done: () => boolean, what: string, retry?: () => Promise<void>): Promise<void>;
  /** Link-layer frames that reached b's interface so far (whole Ethernet frames, in order). */
  framesAtB(): Uint8Array[];
  cleanup(): Promise<void>;
}
