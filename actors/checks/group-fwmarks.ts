/**
 * keepalived's `nftables_ipvs` (check/check_nftables.c, ipvswrapper.c): a virtual server whose group holds only
 * addresses (no fwmark entries) is programmed in IPVS as one fwmark service per protocol instead of one service per
 * address and port, and an nftables map sets that mark on the group's addresses and ports. The marks are given out
 * from `nftables_ipvs_start_fwmark` (default 1000), one per group and protocol, in the order of the virtual
 * servers; a second virtual server on the same group and protocol shares its mark.
 */
import type { Config, VirtualServerGroupEntry } from '../../config/model.js';
import type { GroupMarkElement } from '../../transport/lb/nftables-ipvs-marks.js';

export type { GroupMarkElement };
type IpFamily = GroupMarkElement['family'];

/** keepalived DEFAULT_IPVS_NF_START_FWMARK. */
export const DEFAULT_START_FWMARK = 1000;

export interface GroupFwmarks {
  /** The mark of a group's services of a protocol, when the group is marked. */
  markOf(group: string, protocol: string): number | undefined;
  /** The address families the group's entries have. */
  familiesOf(group: string): readonly IpFamily[];
  readonly elements: readonly GroupMarkElement[];
}

type MarkConfig = Pick<Config, 'virtualServers' | 'virtualServerGroups'> & { readonly globalDefs?: Config['globalDefs'] };

const cache = new WeakMap<object, GroupFwmarks>();

export function groupFwmarks(config: MarkConfig): GroupFwmarks {
  const cached = cache.get(config);
  if (cached !== undefined) return cached;
  const marks = new Map<string, number>();
  const families = new Map<string, IpFamily[]>();
  const elements: GroupMarkElement[] = [];
  const g = config.globalDefs;
  if (g?.nftablesIpvs !== undefined) {
    let next = g.nftablesIpvsStartFwmark ?? DEFAULT_START_FWMARK;
    for (const vs of config.virtualServers) {
      if (vs.address.kind !== 'group') continue;
      const group = vs.address.group;
      const entries = config.virtualServerGroups.find((x) => x.name === group)?.entries ?? [];
      const addresses = entries.filter((e): e is Extract<VirtualServerGroupEntry, { kind: 'address' }> => e.kind === 'address');
      if (addresses.length === 0 || addresses.length !== entries.length) continue;
      const protocol = vs.protocol.toLowerCase() as GroupMarkElement['protocol'];
      const key = `${group}|${protocol}`;
      if (marks.has(key)) continue;
      const mark = next++;
      marks.set(key, mark);
      families.set(group, [...new Set(addresses.map((e) => e.family))].sort());
      for (const e of addresses) elements.push({ family: e.family, protocol, from: e.ip, to: e.rangeEnd ?? e.ip, port: e.port ?? 0, mark });
    }
  }
  const out: GroupFwmarks = {
    markOf: (group, protocol) => marks.get(`${group}|${protocol}`),
    familiesOf: (group) => families.get(group) ?? [],
    elements,
  };
  cache.set(config, out);
  return out;
}
