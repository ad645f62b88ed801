/**
 * The transport contracts (VrrpLink, AddressManager) seen through one small async interface, so that one suite
 * (transport-contract.ts) runs against the simulated world and against real namespaces alike.
 */
import type { InterfaceAddress, LinkEvent } from '../../transport/address-manager.js';
import type { ReceivedPacket, VrrpChannelOptions } from '../../transport/vrrp-link.js';
import type { IpFamily } from '../../protocol/ip.js';

export interface ContractHost {
  readonly name: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly ipv6LinkLocal: string;
  open(options: VrrpChannelOptions): Promise<number>;
  send(channel: number, destination: string, bytes: Uint8Array): Promise<void>;
  /** Packets received on a channel so far. */
  received(channel: number): ReceivedPacket[];
  close(channel: number): Promise<void>;
  addAddress(address: InterfaceAddress): Promise<void>;
  removeAddress(address: InterfaceAddress): Promise<void>;
  primaryAddress(interfaceName: string, family: IpFamily): Promise<string | undefined>;
  isUp(interfaceName: string): Promise<boolean>;
  addressesOn(interfaceName: string): Promise<string[]>;
  setLink(up: boolean): Promise<void>;
  linkEvents(): LinkEvent[];
}

export interface ContractWorld {
  readonly a: ContractHost;
  readonly b: ContractHost;
  /** Lets time pass so that packets and events arrive (virtual time in the simulator, real time otherwise). */
  settle(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}
