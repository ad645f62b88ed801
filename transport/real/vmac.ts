/**
 * keepalived's `use_vmac`: a macvlan interface on the VRRP interface carrying the virtual router MAC
 * 00-00-5E-00-01-{VRID} (IPv4) or 00-00-5E-00-02-{VRID} (IPv6) (RFC 5798 §7.3), or the MAC `use_vmac` gives,
 * created over rtnetlink. Mode private by default, as keepalived creates it (MACVLAN_MODE_PRIVATE).
 * `use_ipvlan`: an L2 ipvlan with the flags of its mode (vrrp_vmac.c netlink_link_add_ipvlan).
 */
import { writeFile } from 'node:fs/promises';
import { AttrStream, createRtNetlink, FlagsNew, ifla, type RtNetlinkSocket, type StreamData } from './netlink-package.js';
import type { IpFamily } from '../../protocol/ip.js';
import { macFromString, macToString } from '../../protocol/ip-bytes.js';
import { bounded, NETLINK_REQUEST_TIMEOUT_MS, tolerate } from './netlink-common.js';
import { VmacSysctls } from './vmac-sysctl.js';

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru';

/** MACVLAN_MODE_* from <linux/if_link.h>. */
const MACVLAN_MODES: Readonly<Record<MacvlanMode, number>> = { private: 1, vepa: 2, bridge: 4, passthru: 8 };

export type IpvlanMode = 'bridge' | 'private' | 'vepa';

/** IPVLAN_MODE_L2 (IFLA_IPVLAN_MODE) and the IPVLAN_F_* flags of each keepalived ipvlan type (IFLA_IPVLAN_FLAGS). */
const IPVLAN_MODE_L2 = 0;
const AF_INET6 = 10;
/** IN6_ADDR_GEN_MODE_NONE (IFLA_INET6_ADDR_GEN_MODE). */
const ADDR_GEN_MODE_NONE = 1;
const IPVLAN_FLAGS: Readonly<Record<IpvlanMode, number>> = { bridge: 0, private: 1, vepa: 2 };

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
  /** `use_vmac … MAC`: the macvlan's MAC, aa:bb:cc:dd:ee:ff (default: the virtual router MAC). */
  readonly mac?: string | undefined;
  /** `use_ipvlan`: an ipvlan (L2) instead of a macvlan. */
  readonly kind?: 'macvlan' | 'ipvlan' | undefined;
  /** `use_ipvlan … bridge|private|vepa` (default bridge). */
  readonly ipvlanMode?: IpvlanMode | undefined;
  /**
   * false: IPv6 is disabled on it (net.ipv6.conf.NAME.disable_ipv6), as keepalived does on an IPv4 instance's
   * VMAC or ipvlan without IPv6 eVIPs. Default: left as the kernel makes it.
   */
  readonly ipv6?: boolean | undefined;
}

export interface Vmac {
  readonly name: string;
  readonly index: number;
  /** The MAC it was asked for (an ipvlan shares its parent's). */
  readonly mac: string | undefined;
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

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value, 0); // host order, as u32 below
  return b;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value, 0); // netlink attributes are in host order (little-endian here)
  return b;
}

/** IFLA_LINKINFO of the interface: a macvlan with its mode, or an L2 ipvlan with its flags (IFLA_IPVLAN_FLAGS). */
export function linkInfo(options: Pick<VmacOptions, 'kind' | 'mode' | 'ipvlanMode'>): Buffer {
  return toBuffer(
    options.kind === 'ipvlan'
      ? ifla().formatInfo({ kind: 'ipvlan', data: toBuffer(ifla().formatIpvlan({ mode: IPVLAN_MODE_L2, flags: u16(IPVLAN_FLAGS[options.ipvlanMode ?? 'bridge']) })) })
      : ifla().formatInfo({ kind: 'macvlan', data: toBuffer(ifla().formatMacvlan({ mode: MACVLAN_MODES[options.mode ?? 'private'] })) }),
  );
}

export interface NetlinkVmacOptions {
  /** How long a request waits for the kernel's answer (default NETLINK_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs?: number;
  /** Errors the netlink socket reports (an unhandled one would end the process). */
  readonly onError?: (message: string) => void;
}

export class NetlinkVmac {
  readonly #socket: RtNetlinkSocket = createRtNetlink();
  readonly #sysctls = new VmacSysctls();
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
    const ipvlan = options.kind === 'ipvlan';
    const mac = ipvlan ? undefined : (options.mac ?? virtualRouterMac(options.vrid, options.family));
    const linkinfo = linkInfo(options);
    const up = options.up !== false;
    await tolerate(
      bounded(
        `RTM_NEWLINK ${name}`,
        (o) =>
          this.#socket.newLink(
            { family: 0 },
            { ifname: name, link: u32(parent), ...(mac !== undefined ? { address: Buffer.from(macFromString(mac)) } : {}), linkinfo },
            { ...o, flags: FlagsNew.CREATE | FlagsNew.EXCL },
          ),
        this.#timeoutMs,
      ),
      ['EEXIST'],
    );
    const index = await this.#index(name);
    if (index === undefined) throw new Error(`VMAC ${name} vanished after creation`);
    if (!ipvlan && options.family === 4) await this.#sysctls.setUp(name, options.parent);
    // Before it is up, so that an IPv4-only interface never gets a link-local address (RFC 5798 §7.4).
    if (options.ipv6 === false) await writeFile(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1').catch(() => undefined);
    // Nor a macvlan one made from its MAC (keepalived: IN6_ADDR_GEN_MODE_NONE; its link-local is added apart).
    if (!ipvlan) {
      const afSpec = new Map([[AF_INET6, toBuffer(ifla().formatLinkProtocolInfoInet6({ addrGenMode: ADDR_GEN_MODE_NONE }))]]);
      await bounded(`RTM_NEWLINK ${name} (addr_gen_mode)`, (o) => this.#socket.newLink({ family: 0, index }, { afSpec }, o), this.#timeoutMs).catch(() => undefined);
    }
    if (up) await bounded(`RTM_NEWLINK ${name} (up)`, (o) => this.#socket.newLink({ family: 0, index, flags: { up: true }, change: { up: true } }, {}, o), this.#timeoutMs);
    return { name, index, mac };
  }

  /** Deletes the interface; an absent one is not an error. */
  async remove(name: string): Promise<void> {
    const index = await this.#index(name);
    if (index !== undefined) await tolerate(bounded(`RTM_DELLINK ${name}`, (o) => this.#socket.delLink({ index }, undefined, o), this.#timeoutMs), ['ENODEV']);
    await this.#sysctls.tearDown(name);
  }

  close(): void {
    this.#socket.socket.close();
  }
}
