/**
 * The nftables side of keepalived's `nftables_ipvs` (check/check_nftables.c), as one `nft -f` transaction: per
 * family a table (default `keepalived_ipvs`) with a chain `in` (filter, input hook, `nftables_ipvs_priority`,
 * default -1, policy accept), a map per protocol `tcp_map` / `udp_map` / `sctp_map` from address . port (ranges
 * allowed) to the group's mark, and a rule per protocol `meta l4proto P meta mark set ip daddr . P dport map @P_map
 * counter return`. The table is made anew each time (create, delete, define: the kernel swaps it whole) and
 * deleted when vigil stops.
 */
/** One element of a protocol's map: addresses `from`..`to` on `port` get `mark`. */
export interface GroupMarkElement {
  readonly family: 4 | 6;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly mark: number;
}

export const DEFAULT_NFTABLES_IPVS_TABLE = 'keepalived_ipvs';
export const DEFAULT_NFTABLES_IPVS_PRIORITY = -1;

export interface IpvsMarkSettings {
  readonly table: string;
  readonly priority: number;
}

/** global_defs nftables_ipvs [TABLE] and nftables_ipvs_priority. */
export function ipvsMarkSettings(g: { readonly nftablesIpvs?: string | true | undefined; readonly nftablesIpvsPriority?: number | undefined }): IpvsMarkSettings {
  return {
    table: typeof g.nftablesIpvs === 'string' ? g.nftablesIpvs : DEFAULT_NFTABLES_IPVS_TABLE,
    priority: g.nftablesIpvsPriority ?? DEFAULT_NFTABLES_IPVS_PRIORITY,
  };
}

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

function range(from: string, to: string): string {
  return from === to ? from : `${from}-${to}`;
}

/** The transaction that defines the tables for `elements` (and removes those of a family that has none). */
export function renderIpvsMarks(settings: IpvsMarkSettings, elements: readonly GroupMarkElement[]): string {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const nfFamily = family === 4 ? 'ip' : 'ip6';
    const table = `${nfFamily} ${settings.table}`;
    const mine = elements.filter((e) => e.family === family);
    lines.push(`table ${table}`, `delete table ${table}`);
    if (mine.length === 0) continue;
    lines.push(`table ${table} {`);
    const used = PROTOCOLS.filter((p) => mine.some((e) => e.protocol === p));
    for (const p of used) {
      const members = mine.filter((e) => e.protocol === p).map((e) => `${range(e.from, e.to)} . ${e.port} : ${e.mark}`);
      lines.push(`  map ${p}_map {`, `    type ${family === 4 ? 'ipv4_addr' : 'ipv6_addr'} . inet_service : mark`, '    flags interval', `    elements = { ${members.join(', ')} }`, '  }');
    }
    lines.push('  chain in {', `    type filter hook input priority ${settings.priority}; policy accept;`);
    for (const p of used) lines.push(`    meta l4proto ${p} meta mark set ${nfFamily} daddr . ${p} dport map @${p}_map counter return`);
    lines.push('  }', '}');
  }
  return `${lines.join('\n')}\n`;
}

/** The transaction that removes both families' tables (whether or not they exist). */
export function renderIpvsMarksRemoval(settings: IpvsMarkSettings): string {
  return ['ip', 'ip6'].flatMap((f) => [`table ${f} ${settings.table}`, `delete table ${f} ${settings.table}`]).join('\n') + '\n';
}
