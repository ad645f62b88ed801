/**
 * The layers hold: every import of every source file goes in a direction that the table in docs/design.md allows.
 * The table is read from the document itself, so the picture and the code cannot drift apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface Rule {
  readonly folder: string;
  readonly allowed: ReadonlyMap<string, 'all' | 'types'>;
}

/** The rows of the "Layers" table: `folder` | what | may import. */
export function parseLayerTable(markdown: string): Rule[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Layers'));
  if (!section) throw new Error('docs/design.md has no "## Layers" section');
  const rules: Rule[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !cells[1]!.startsWith('`')) continue;
    const allowed = new Map<string, 'all' | 'types'>();
    for (const part of cells[3]!.split(',')) {
      const m = /`([^`]+)`\s*(\(types\))?/.exec(part);
      if (m) allowed.set(m[1]!, m[2] ? 'types' : 'all');
    }
    // "`test/`, `bench/`": one row for several folders.
    for (const m of cells[1]!.matchAll(/`([^`]+)`/g)) rules.push({ folder: m[1]!, allowed });
  }
  return rules;
}

/** The folder of the table that a repository path belongs to: the longest row folder it lies in. */
function ownerOf(path: string, folders: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const f of folders) if (path.startsWith(f) && (best === undefined || f.length > best.length)) best = f;
  return best;
}

interface Import {
  readonly target: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

/** Every relative import of a TypeScript file: static (`import … from`, `export … from`), dynamic, and `new URL`. */
export function importsOf(source: string): Import[] {
  const out: Import[] = [];
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  const statics = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+'([^']+)'/gm;
  for (const m of source.matchAll(statics)) {
    const named = m[3] ?? '';
    // `import { type A, type B }` is type-only too.
    const allTypes = m[2] !== undefined || (/^\{[^}]*\}$/.test(named) && named.slice(1, -1).split(',').filter((s) => s.trim()).every((s) => s.trim().startsWith('type ')));
    out.push({ target: m[4]!, typeOnly: allTypes, line: lineOf(m.index) });
  }
  for (const m of source.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push({ target: m[1]!, typeOnly: false, line: lineOf(m.index) });
  for (const m of source.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push({ target: m[1]!, typeOnly: false, line: lineOf(m.index) });
  for (const m of source.matchAll(/new URL\(\s*'([^']+\.js)'\s*,\s*import\.meta\.url\s*\)/g)) out.push({ target: m[1]!, typeOnly: false, line: lineOf(m.index) });
  return out.filter((i) => i.target.startsWith('.'));
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts')) out.push(relative(ROOT, path).split('\\').join('/'));
  }
  return out;
}

/** Every import that the table does not allow, as `file:line: imports target (from → to)`. */
export function violations(rules: readonly Rule[], files: readonly { path: string; text: string }[]): string[] {
  const folders = rules.map((r) => r.folder);
  const byFolder = new Map(rules.map((r) => [r.folder, r]));
  const found: string[] = [];
  for (const { path, text } of files) {
    const from = ownerOf(path, folders);
    if (from === undefined) continue;
    const rule = byFolder.get(from)!;
    for (const i of importsOf(text)) {
      const target = posix.normalize(posix.join(posix.dirname(path), i.target));
      const to = ownerOf(target, folders);
      if (to === undefined || to === from) continue;
      const allowed = rule.allowed.get(to);
      if (allowed === 'all' || (allowed === 'types' && i.typeOnly)) continue;
      found.push(`${path}:${i.line}: imports ${target} (${from} → ${to}${allowed === 'types' ? ', types only' : ''})`);
    }
  }
  return found.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const design = readFileSync(join(ROOT, 'docs/design.md'), 'utf8');
const rules = parseLayerTable(design);

test('the layer table of docs/design.md names every top folder of the source tree', () => {
  const folders = new Set(rules.map((r) => r.folder));
  const top = new Set(sources(ROOT).filter((p) => p.includes('/')).map((p) => `${p.split('/')[0]}/`));
  for (const t of top) assert.ok(folders.has(t), `${t} has no row in docs/design.md's layer table`);
  for (const f of folders) assert.ok(statSync(join(ROOT, f), { throwIfNoEntry: false })?.isDirectory(), `the table names ${f}, which does not exist`);
});

test('every import goes in a direction docs/design.md allows', () => {
  const files = sources(ROOT).map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
  assert.deepEqual(violations(rules, files), []);
});

test('the checker finds a wrong direction, a value import where only types may go, and a dynamic import', () => {
  const files = [
    { path: 'protocol/x.ts', text: "import { a } from '../transport/y.js';\n" },
    { path: 'machines/y.ts', text: "import type { V } from '../protocol/vrrp-types.js';\nimport { type A, f } from '../protocol/z.js';\n" },
    { path: 'actors/w.ts', text: "const m = await import('../transport/real/q.js');\nimport type { S } from './daemon/s.js';\n" },
    { path: 'actors/daemon/d.ts', text: "import { R } from '../../transport/real/r.js';\n" },
  ];
  assert.deepEqual(violations(rules, files), [
    'actors/w.ts:1: imports transport/real/q.js (actors/ → transport/real/)',
    'actors/w.ts:2: imports actors/daemon/s.js (actors/ → actors/daemon/)',
    'machines/y.ts:2: imports protocol/z.js (machines/ → protocol/, types only)',
    'protocol/x.ts:1: imports transport/y.js (protocol/ → transport/)',
  ]);
});
