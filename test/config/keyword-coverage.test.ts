/**
 * No silent keyword: every keyword of the grammar (every keyword of every block spec the walker knows) is either
 * implemented, with evidence that the runtime acts on it (config/implemented.ts), or listed as not implemented
 * with a reason (config/not-implemented.ts) - exactly one of the two. The evidence is checked: the model fields
 * named must be read by runtime code (actors/, sim/, transport/), as the TypeScript compiler resolves it.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { IMPLEMENTED } from '../../config/implemented.js';
import { NOT_IMPLEMENTED, parseNotImplementedKey } from '../../config/not-implemented.js';
import { ROOT_SPEC } from '../../config/keywords/root.js';
import type { AnyBlockSpec } from '../../config/walker.js';
import { ROOT } from './helpers.js';
import { runtimeReads, type RuntimeReads } from './runtime-reads.js';

/** Every combination of a key's alternatives: `a|b c` → `a c`, `b c`. */
function expand(path: readonly (readonly string[])[]): string[] {
  let out = [''];
  for (const alternatives of path) out = out.flatMap((prefix) => alternatives.map((a) => (prefix === '' ? a : `${prefix} ${a}`)));
  return out;
}

interface Grammar {
  /** Keyword path → the spec of the block it opens, if it opens one. */
  readonly paths: ReadonlyMap<string, AnyBlockSpec | undefined>;
  readonly specs: ReadonlySet<AnyBlockSpec>;
}

function grammar(): Grammar {
  const paths = new Map<string, AnyBlockSpec | undefined>();
  const specs = new Set<AnyBlockSpec>([ROOT_SPEC as AnyBlockSpec]);
  const walk = (spec: AnyBlockSpec, prefix: string): void => {
    for (const keyword of spec.keywords.keys()) {
      const path = prefix === '' ? keyword : `${prefix} ${keyword}`;
      const child = spec.blocks.get(keyword);
      paths.set(path, child);
      if (child) {
        specs.add(child);
        walk(child, path);
      }
    }
  };
  walk(ROOT_SPEC as AnyBlockSpec, '');
  return { paths, specs };
}

const GRAMMAR = grammar();

/** Whether the entry is about the keyword whatever its line says (no pattern, no condition). */
function wholeKeyword(key: string): boolean {
  const value = NOT_IMPLEMENTED[key]!;
  return parseNotImplementedKey(key).pattern.length === 0 && (typeof value === 'string' || value.when === undefined);
}

/** Keyword paths listed as not implemented: a listed block covers what is inside it. */
const LISTED = new Set(
  Object.keys(NOT_IMPLEMENTED)
    .filter(wholeKeyword)
    .flatMap((key) => expand(parseNotImplementedKey(key).path)),
);
const IMPLEMENTED_PATHS = Object.keys(IMPLEMENTED).flatMap((key) => expand(parseNotImplementedKey(key).path).map((path) => ({ key, path })));

function coveredByListedBlock(path: string): boolean {
  const words = path.split(' ');
  for (let n = 1; n < words.length; n++) if (LISTED.has(words.slice(0, n).join(' '))) return true;
  return false;
}

test('every keyword of the grammar is implemented or listed as not implemented, not both', () => {
  const implemented = new Map<string, number>();
  for (const { path } of IMPLEMENTED_PATHS) implemented.set(path, (implemented.get(path) ?? 0) + 1);
  const missing: string[] = [];
  const both: string[] = [];
  const twice: string[] = [];
  for (const path of GRAMMAR.paths.keys()) {
    if (coveredByListedBlock(path)) continue;
    const count = implemented.get(path) ?? 0;
    if (count > 1) twice.push(path);
    if (count > 0 && LISTED.has(path)) both.push(path);
    if (count === 0 && !LISTED.has(path)) missing.push(path);
  }
  assert.deepEqual(missing, [], 'keywords in neither config/implemented.ts nor config/not-implemented.ts');
  assert.deepEqual(both, [], 'keywords in both lists');
  assert.deepEqual(twice, [], 'keywords twice in config/implemented.ts');
  assert.ok(GRAMMAR.paths.size > 400, `the grammar walk found only ${GRAMMAR.paths.size} keywords`);
});

test('both lists name keywords of the grammar only, and option entries refine implemented keywords', () => {
  const unknown: string[] = [];
  for (const { key, path } of IMPLEMENTED_PATHS) {
    if (!GRAMMAR.paths.has(path)) unknown.push(`implemented: ${key} (${path})`);
    else if (coveredByListedBlock(path)) unknown.push(`implemented inside a block listed as not implemented: ${path}`);
  }
  const implemented = new Set(IMPLEMENTED_PATHS.map((p) => p.path));
  for (const key of Object.keys(NOT_IMPLEMENTED)) {
    const k = parseNotImplementedKey(key);
    for (const path of expand(k.path)) {
      if (!GRAMMAR.paths.has(path)) unknown.push(`not implemented: ${key} (${path})`);
      else if (coveredByListedBlock(path)) unknown.push(`listed inside a block already listed: ${key}`);
      else if (!wholeKeyword(key) && !implemented.has(path)) unknown.push(`option entry of a keyword that is not implemented itself: ${key}`);
    }
    const reason = NOT_IMPLEMENTED[key]!;
    const text = typeof reason === 'string' ? reason : reason.reason;
    if (text.trim().length < 5) unknown.push(`no reason given: ${key}`);
  }
  assert.deepEqual(unknown, []);
});

test("every block spec of config/keywords is part of the grammar's tree", () => {
  // A spec that no keyword declares opening would escape the walk above (the walker refuses to open one).
  const dir = join(ROOT, 'config/keywords');
  const declared = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/blockSpec(?:<[^>]*>)?\(\s*'([^']*)'/g)) declared.add(m[1]!);
  }
  const inTree = new Set([...GRAMMAR.specs].map((s) => s.name));
  assert.deepEqual([...declared].filter((name) => !inTree.has(name)), []);
  assert.ok(declared.size >= 20, `found only ${declared.size} blockSpec calls`);
});

let reads: RuntimeReads;
before(() => {
  reads = runtimeReads(ROOT, ['actors/', 'sim/', 'transport/']);
});

test("implemented keywords: the runtime reads every model field named as their evidence (the compiler's references)", () => {
  const problems: string[] = [];
  for (const [key, evidence] of Object.entries(IMPLEMENTED)) {
    if (typeof evidence === 'string') {
      const fields = evidence.split(/\s+/).filter((f) => f !== '');
      if (fields.length === 0) problems.push(`${key}: no field named`);
      for (const field of fields) if (!reads.fields.has(field)) problems.push(`${key}: ${field} is not read by the runtime`);
    } else if ('test' in evidence) {
      const file = join(ROOT, evidence.test);
      const last = expand(parseNotImplementedKey(key).path)[0]!.split(' ').pop()!;
      if (!existsSync(file)) problems.push(`${key}: ${evidence.test} does not exist`);
      else if (!readFileSync(file, 'utf8').includes(last)) problems.push(`${key}: ${evidence.test} does not use ${last}`);
    } else if (evidence.noop.trim().length < 10) problems.push(`${key}: no reason why nothing is done`);
  }
  assert.deepEqual(problems, []);
});

test('the trace of runtime reads: direct reads, reads through a type of the runtime own, and fields only config/ reads', () => {
  assert.ok(reads.fields.has('VrrpInstance.priority'));
  assert.ok(reads.fields.has('VrrpInstance.notifyMaster'), 'the daemon hands instances to notifyScripts(o: NotifyOwner)');
  // advert_int in seconds is for finalize-vrrp.ts and the rendering; the runtime uses advertIntervalCs.
  assert.equal(reads.fields.has('VrrpInstance.advertInt'), false);
});
