/**
 * keepalived's `use_vmac`: a macvlan interface on the VRRP interface carrying the virtual router MAC
 * 00-00-5E-00-01-{VRID} (IPv4) or 00-00-5E-00-02-{VRID} (IPv6) (RFC 5798 §7.3), created over rtnetlink.
 * Mode private by default, as keepalived creates it (MACVLAN_MODE_PRIVATE).
 */
import { AttrStream, createRtNetlink, FlagsNew, ifla, type RtNetlinkSocket, type StreamData } from './netlink-package.js';
import type { IpFamily } from '../../protocol/ip.js';
import { macFromString, macToString } from '../../protocol/ip-bytes.js';
import { bounded, NETLINK_REQUEST_TIMEOUT_MS, tolerate } from './netlink-common.js';

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru';

/** MACVLAN_MODE_* from <linux/if_link.h>. */
const MACVLAN_MODES: Readonly<Record<MacvlanMode, number>> = { private: 1, vepa: 2, bridge: 4, passthru: 8 };

export interface VmacOptions {
  /** The interface the VRRP instance runs on (`interface`). */
  readonly parent: string;
  readonly vrid: number;
  readonly family: IpFamily;
  /** Interface name (`use_vmac NAME`); default `vrrp.VRID` (IPv6: `vrrp6.VRID`). */
  readonly name?: string;
  readonly mode?: MacvlanMode;
  /** Bring it up at once (default true). */
  readonly up?: boolean;
}

export interface Vmac {
  readonly name: string;
  readonly index: number;
  readonly mac: string;
}

/** The virtual router MAC of RFC 5798 §7.3, as text. */
export function virtualRouterMac(vrid: number, family: IpFamily): string {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new Error(`VRID must be 1..255, got ${vrid}`);
  return macToString(Uint8Array.of(0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid));
}

export function defaultVmacName(vrid: number, family: IpFamily): string {
  return family === 4 ? `vrrp.${vrid}` : `vrrp6.${vrid}`;
}

function toBuffer(data: StreamData): Buffer {
  const stream = new AttrStream();
  stream.emit(data);
  return Buffer.concat(stream.bufs);
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value, 0); // netlink attributes are in host order (little-endian here)
  return b;
}

export interface NetlinkVmacOptions {
  /** How long a request waits for the kernel's answer (default NETLINK_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs?: number;
  /** Errors the netlink socket reports (an unhandled one would end the process). */
  readonly onError?: (message: string) => void;
}

export class NetlinkVmac {
  readonly #socket: RtNetlinkSocket = createRtNetlink();
  readonly #timeoutMs: number;

  constructor(options: NetlinkVmacOptions = {}) {
    this.#timeoutMs = options.requestTimeoutMs ?? NETLINK_REQUEST_TIMEOUT_MS;
    this.#socket.socket.on('error', (error) => options.onError?.(`netlink (VMAC) socket: ${error.message}`));
  }

  async #index(name: string): Promise<number | undefined> {
    for (const link of await bounded('RTM_GETLINK (dump)', (o) => this.#socket.getLinks(undefined, undefined, o), this.#timeoutMs)) {
      if (link.attrs.ifname === name) return link.data.index;
    }
    return undefined;
  }

  /** Creates the VMAC interface; if one of that name exists already it is left as it is and returned. */
  async create(options: VmacOptions): Promise<Vmac> {
    const parent = await this.#index(options.parent);
    if (parent === undefined) throw Object.assign(new Error(`no such interface: ${options.parent}`), { code: 'ENODEV' });
    const name = options.name ?? defaultVmacName(options.vrid, options.family);
    if (name.length > 15) throw new Error(`interface name too long (max 15): ${name}`);
    const mac = virtualRouterMac(options.vrid, options.family);
    const linkinfo = toBuffer(
      ifla().formatInfo({ kind: 'macvlan', data: toBuffer(ifla().formatMacvlan({ mode: MACVLAN_MODES[options.mode ?? 'private'] })) }),
    );
    const up = options.up !== false;
    await tolerate(
      bounded(
        `RTM_NEWLINK ${name}`,
        (o) =>
          this.#socket.newLink(
            { family: 0, ...(up ? { flags: { up: true }, change: { up: true } } : {}) },
            { ifname: name, link: u32(parent), address: Buffer.from(macFromString(mac)), linkinfo },
            { ...o, flags: FlagsNew.CREATE | FlagsNew.EXCL },
          ),
        this.#timeoutMs,
      ),
      ['EEXIST'],
    );
    const index = await this.#index(name);
    if (index === undefined) throw new Error(`VMAC ${name} vanished after creation`);
    return { name, index, mac };
  }

  /** Deletes the interface; an absent one is not an error. */
  async remove(name: string): Promise<void> {
    const index = await this.#index(name);
    if (index === undefined) return;
    await tolerate(bounded(`RTM_DELLINK ${name}`, (o) => this.#socket.delLink({ index }, undefined, o), this.#timeoutMs), ['ENODEV']);
  }

  close(): void {
    this.#socket.socket.close();
  }
}
