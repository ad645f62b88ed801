/**
 * What a configuration announces (`announce_table`): per virtual server its addresses (the VS address, or every
 * address of its group; fwmark entries have none), per VRRP instance its virtual_ipaddress set, each with its table.
 */
import { expandGroupEntry, virtualServerKey } from '../checks/resolve-checkers.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { AnnouncedRoute } from '../../transport/route-announcer.js';

export interface AnnouncementSpec {
  /** `virtual_server KEY` or `vrrp_instance NAME`: what is announced, in messages and the status. */
  readonly owner: string;
  readonly kind: 'virtual_server' | 'vrrp_instance';
  /** The virtual server's key (actors/checks/resolve-checkers.ts) or the instance's name. */
  readonly name: string;
  readonly routes: readonly AnnouncedRoute[];
}

export function announcementSpecs(config: KeepalivedConfig): AnnouncementSpec[] {
  const out: AnnouncementSpec[] = [];
  const seen = new Map<string, number>();
  for (const vs of config.virtualServers) {
    // The checker side's keys (resolve-checkers.ts eachVirtualServer): a second virtual server of the same text is `KEY (2)`.
    const text = virtualServerKey(vs);
    const n = (seen.get(text) ?? 0) + 1;
    seen.set(text, n);
    const table = vs.announceTable;
    if (table === undefined) continue;
    const a = vs.address;
    let vips: string[] = [];
    if (a.kind === 'ip') vips = [a.ip];
    else if (a.kind === 'group') {
      const group = config.virtualServerGroups.find((g) => g.name === a.group);
      for (const entry of group?.entries ?? []) {
        const expanded = expandGroupEntry(entry);
        if (Array.isArray(expanded)) vips.push(...expanded.map((e) => e.address));
      }
    }
    const key = n === 1 ? text : `${text} (${n})`;
    out.push({ owner: `virtual_server ${key}`, kind: 'virtual_server', name: key, routes: [...new Set(vips)].map((vip) => ({ vip, table })) });
  }
  for (const i of config.vrrpInstances) {
    const table = i.announceTable;
    if (table === undefined) continue;
    const vips = [...new Set(i.virtualIpAddresses.map((a) => a.address))];
    out.push({ owner: `vrrp_instance ${i.name}`, kind: 'vrrp_instance', name: i.name, routes: vips.map((vip) => ({ vip, table })) });
  }
  return out;
}
