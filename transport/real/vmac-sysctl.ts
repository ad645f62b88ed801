/**
 * The IPv4 settings keepalived gives a macvlan it creates for IPv4 addresses and the macvlan's parent
 * (vrrp_if_config.c set_interface_parameters / reset_interface_parameters), through /proc/sys:
 * - on the macvlan: arp_ignore=1 (no ARP replies for the parent's addresses), accept_local=1 (hear another
 *   instance's advertisements), rp_filter=0 (receive while it has no address), promote_secondaries=1;
 * - on the parent: arp_ignore=1 and arp_filter=1 (no ARP replies for the VIPs), put back as they were when its
 *   last macvlan goes.
 */
import { readFile, writeFile } from 'node:fs/promises';

const conf = (name: string, key: string): string => `/proc/sys/net/ipv4/conf/${name}/${key}`;

async function get(name: string, key: string): Promise<string | undefined> {
  return (await readFile(conf(name, key), 'utf8').catch(() => undefined))?.trim();
}

async function set(name: string, key: string, value: string): Promise<void> {
  await writeFile(conf(name, key), value).catch(() => undefined);
}

/** The parents' settings before the first macvlan, and how many macvlans each has. */
export class VmacSysctls {
  readonly #parents = new Map<string, { count: number; arpIgnore: string | undefined; arpFilter: string | undefined }>();
  /** macvlan → parent, for the macvlans set up here. */
  readonly #children = new Map<string, string>();

  async setUp(name: string, parent: string): Promise<void> {
    for (const [key, value] of [['arp_ignore', '1'], ['accept_local', '1'], ['rp_filter', '0'], ['promote_secondaries', '1']] as const) await set(name, key, value);
    if (this.#children.has(name)) return;
    this.#children.set(name, parent);
    const known = this.#parents.get(parent);
    if (known) {
      known.count++;
      return;
    }
    const saved = { count: 1, arpIgnore: await get(parent, 'arp_ignore'), arpFilter: await get(parent, 'arp_filter') };
    this.#parents.set(parent, saved);
    if (saved.arpIgnore !== '1') await set(parent, 'arp_ignore', '1');
    if (saved.arpFilter !== '1') await set(parent, 'arp_filter', '1');
  }

  /** The macvlan is gone: its parent gets its settings back with its last macvlan. */
  async tearDown(name: string): Promise<void> {
    const parent = this.#children.get(name);
    if (parent === undefined) return;
    this.#children.delete(name);
    const saved = this.#parents.get(parent)!;
    if (--saved.count > 0) return;
    this.#parents.delete(parent);
    if (saved.arpIgnore !== undefined) await set(parent, 'arp_ignore', saved.arpIgnore);
    if (saved.arpFilter !== undefined) await set(parent, 'arp_filter', saved.arpFilter);
  }
}
