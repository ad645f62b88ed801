/**
 * iproute2's name files (rt_tables, rt_protos, rt_scopes, rt_realms, rt_dsfield, group), which keepalived reads to
 * resolve `table`, `protocol`, `scope`, `realms`, `tos` / `dsfield` and `suppress_ifgroup` of routes, rules and
 * addresses. Read as keepalived 2.2.7 does (lib/rttables.c): a usable line is exactly two words, `NUMBER NAME`, the
 * number decimal, 0x hex or 0 octal and within the kind's range (anything else, comments included, is skipped); the
 * first line naming a name wins; keepalived's built-in names fill in ids the file leaves out. A number given in the
 * configuration resolves without the files.
 *
 * Beyond keepalived 2.2.7, which reads only /etc/iproute2/FILE, FILE.d/*.conf is read too (iproute2 does, and
 * distributions put local tables there), and /usr/share/iproute2/FILE stands in for a missing /etc/iproute2/FILE
 * (iproute2 ≥ 6.5 installs its defaults there).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type NameKind = 'table' | 'protocol' | 'scope' | 'realm' | 'dsfield' | 'group';

interface KindSpec {
  readonly file: string;
  readonly max: number;
  /** keepalived's built-in names, added for ids the file does not name. */
  readonly builtIn: readonly (readonly [number, string])[];
}

export const NAME_KINDS: Readonly<Record<NameKind, KindSpec>> = {
  table: { file: 'rt_tables', max: 0xffffffff, builtIn: [[253, 'default'], [254, 'main'], [255, 'local']] },
  protocol: {
    file: 'rt_protos',
    max: 255,
    builtIn: [
      [0, 'none'], [1, 'redirect'], [2, 'kernel'], [3, 'boot'], [4, 'static'], [8, 'gated'], [9, 'ra'], [10, 'mrt'],
      [11, 'zebra'], [12, 'bird'], [42, 'babel'], [13, 'dnrouted'], [14, 'xorp'], [15, 'ntk'], [16, 'dhcp'],
    ],
  },
  scope: { file: 'rt_scopes', max: 255, builtIn: [[0, 'global'], [255, 'nowhere'], [254, 'host'], [253, 'link'], [200, 'site']] },
  realm: { file: 'rt_realms', max: 255, builtIn: [] },
  dsfield: { file: 'rt_dsfield', max: 255, builtIn: [] },
  group: { file: 'group', max: 0x7fffffff, builtIn: [] },
};

/** A whole word as C's strtoul(…, 0) reads it (decimal, 0x hex, 0 octal), or undefined when it is not one. */
export function unsignedNumber(text: string): number | undefined {
  const m = /^\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(text);
  if (!m) return undefined;
  if (m[1] !== undefined) return parseInt(m[1], 16);
  if (m[2] !== undefined) return parseInt(m[2], 8);
  return Number(m[3]);
}

/** keepalived's word splitting of a name-file line: blanks separate, `"…"` is one word. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"?|([^\s"]+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

/** The `NUMBER NAME` lines of one name file, in order. */
export function parseNameFile(text: string, max: number): (readonly [number, string])[] {
  const out: (readonly [number, string])[] = [];
  for (const line of text.split('\n')) {
    const w = words(line);
    if (w.length !== 2) continue;
    const id = unsignedNumber(w[0]!);
    if (id === undefined || id > max) continue;
    out.push([id, w[1]!]);
  }
  return out;
}

export interface Iproute2Names {
  /** The id a configuration word stands for, or undefined when it is neither a number in range nor a known name. */
  resolve(kind: NameKind, text: string): number | undefined;
  /** Where the names of a kind were looked for, for messages. */
  sources(kind: NameKind): string;
}

export interface NameFileReader {
  /** The text of a file, or undefined when it cannot be read. */
  read(path: string): string | undefined;
  /** The entries of a directory, or an empty list. */
  list(dir: string): readonly string[];
}

export const nodeNameFileReader: NameFileReader = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  list(dir) {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/** Reads the name files lazily, each kind once, from `dir` (default /etc/iproute2) with /usr/share/iproute2 behind it. */
export function iproute2Names(reader: NameFileReader = nodeNameFileReader, dir = '/etc/iproute2', fallbackDir = '/usr/share/iproute2'): Iproute2Names {
  const cache = new Map<NameKind, ReadonlyMap<string, number>>();
  const load = (kind: NameKind): ReadonlyMap<string, number> => {
    const known = cache.get(kind);
    if (known) return known;
    const spec = NAME_KINDS[kind];
    const entries: (readonly [number, string])[] = [];
    const main = reader.read(join(dir, spec.file)) ?? reader.read(join(fallbackDir, spec.file));
    if (main !== undefined) entries.push(...parseNameFile(main, spec.max));
    for (const d of [dir, fallbackDir]) {
      const sub = join(d, `${spec.file}.d`);
      for (const f of [...reader.list(sub)].filter((n) => n.endsWith('.conf')).sort()) entries.push(...parseNameFile(reader.read(join(sub, f)) ?? '', spec.max));
    }
    const ids = new Set(entries.map(([id]) => id));
    for (const [id, name] of spec.builtIn) if (!ids.has(id)) entries.push([id, name]);
    const byName = new Map<string, number>();
    for (const [id, name] of entries) if (!byName.has(name)) byName.set(name, id);
    cache.set(kind, byName);
    return byName;
  };
  return {
    resolve(kind, text) {
      const n = unsignedNumber(text);
      if (n !== undefined) return n <= NAME_KINDS[kind].max ? n : undefined;
      return load(kind).get(text);
    },
    sources(kind) {
      const f = NAME_KINDS[kind].file;
      return `${join(dir, f)} or ${f}.d/*.conf`;
    },
  };
}
