/**
 * One nftables table as `nft -j list ruleset` shows it, without what differs between two equal tables made at
 * different times or by different programs: the table's name, handles, counters' values. What the VIP firewall
 * tests compare (vigil against keepalived) and judge (which addresses are dropped).
 */

export interface TableView {
  /** Families that have the table: 'ip', 'ip6'. */
  readonly families: readonly string[];
  /** `FAMILY SET` (or map) → its type, flags and elements (a concatenation as A%B, a map's key and value as K>V), sorted. */
  readonly sets: Readonly<Record<string, { readonly type: unknown; readonly flags?: unknown; readonly elements: readonly string[] }>>;
  /** `FAMILY CHAIN` → its hook, priority, type and policy (none for a regular chain). */
  readonly chains: Readonly<Record<string, { readonly type?: unknown; readonly hook?: unknown; readonly prio?: unknown; readonly policy?: unknown }>>;
  /** `FAMILY CHAIN` → each rule's expressions as JSON, in order. */
  readonly rules: Readonly<Record<string, readonly string[]>>;
}

type Json = Record<string, unknown>;

function elementText(e: unknown): string {
  if (typeof e === 'string' || typeof e === 'number') return String(e);
  // A map's element: key and value.
  if (Array.isArray(e)) return e.map(elementText).join('>');
  const o = e as Json;
  if (Array.isArray((o as { concat?: unknown }).concat)) return ((o as { concat: unknown[] }).concat).map(elementText).join('%');
  if (o['elem'] !== undefined) return elementText((o['elem'] as Json)['val']);
  return JSON.stringify(e);
}

/** Counters' values zeroed: the same rule is the same whatever went through it. */
function withoutCounts(expr: unknown): unknown {
  return JSON.parse(JSON.stringify(expr), (key, value: unknown) => (key === 'counter' && value !== null && typeof value === 'object' ? { packets: 0, bytes: 0 } : value));
}

export function tableView(listing: string, table: string): TableView {
  const objects = (JSON.parse(listing) as { nftables: Json[] }).nftables;
  const families: string[] = [];
  const sets: Record<string, { type: unknown; flags?: unknown; elements: string[] }> = {};
  const chains: Record<string, { type?: unknown; hook?: unknown; prio?: unknown; policy?: unknown }> = {};
  const rules: Record<string, string[]> = {};
  for (const o of objects) {
    const [kind, value] = Object.entries(o)[0] as [string, Json];
    if (kind === 'table') {
      if (value['name'] === table) families.push(String(value['family']));
      continue;
    }
    if (value['table'] !== table) continue;
    const family = String(value['family']);
    if (kind === 'set' || kind === 'map') {
      const elems = Array.isArray(value['elem']) ? (value['elem'] as unknown[]).map(elementText).sort() : [];
      const type = kind === 'map' ? [value['type'], value['map']] : value['type'];
      sets[`${family} ${String(value['name'])}`] = { type, ...(value['flags'] !== undefined ? { flags: value['flags'] } : {}), elements: elems };
    } else if (kind === 'chain') {
      const { type, hook, prio, policy } = value;
      chains[`${family} ${String(value['name'])}`] = hook === undefined ? {} : { type, hook, prio, policy };
    } else if (kind === 'rule') {
      const key = `${family} ${String(value['chain'])}`;
      (rules[key] ??= []).push(JSON.stringify(withoutCounts(value['expr'])));
    }
  }
  return { families: families.sort(), sets, chains, rules };
}

/** The elements of every address set (vips…) that a rule looks up before dropping: the addresses the table drops. */
export function droppedBy(view: TableView): string[] {
  const out = new Set<string>();
  for (const [key, list] of Object.entries(view.rules)) {
    const family = key.split(' ')[0]!;
    for (const text of list) {
      const expr = JSON.parse(text) as Json[];
      if (!expr.some((e) => 'drop' in e)) continue;
      for (const e of expr) {
        const right = (e['match'] as Json | undefined)?.['right'];
        if (typeof right === 'string' && right.startsWith('@vips')) for (const x of view.sets[`${family} ${right.slice(1)}`]?.elements ?? []) out.add(x);
      }
    }
  }
  return [...out].sort();
}
