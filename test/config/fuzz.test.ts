/**
 * Property: random mutations of keepalived's samples and of the project's fixtures never make the parser throw
 * or hang; problems only come back as errors and warnings with a file and a line, and the dump still works.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { dumpConfig } from '../../config/dump.js';
import { memoryFileSystem } from '../../config/files.js';
import { parseConfigText } from '../../config/parse.js';
import { FIXTURES, samplesDir } from './helpers.js';

function corpus(): string[] {
  const texts: string[] = [];
  const add = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isFile()) texts.push(readFileSync(p, 'utf8'));
    }
  };
  add(FIXTURES);
  add(join(FIXTURES, 'conf.d'));
  const samples = samplesDir();
  if (samples) add(samples);
  else console.log('# fuzz: keepalived samples not found, mutating the fixtures only');
  return texts;
}

const TEXTS = corpus();

/** Fragments that exercise every path of the reader and the block walker. */
const FRAGMENTS = [
  '{', '}', '{ }', '"', '"a b"', '\\', '\\#', '#', '!', '$X', '${X}', '$X=1', '$X= \\', '$X=$X', '${_RANDOM 1 5}', '${_PWD}',
  '@main', '@^main', '~SEQ(N, 1, 3)', '~SEQx(N, 0x10)', '~LST(A, 1, 2)', '~SEQ(N', 'include missing.conf', 'include *.conf',
  'include keepalived.conf', 'vrrp_instance', 'virtual_server', 'real_server', 'TCP_CHECK', 'HTTP_GET', 'url', 'global_defs',
  'virtual_ipaddress', 'track_script', 'authentication', 'virtual_router_id 0', 'priority 256', '192.0.2.1/33', '::1', 'fwmark',
  'group', 'weight -300', 'advert_int 0.001', 'state MASTER', 'lb_kind TUN type gue', 'digest zz', '\u0000', '\uffff', ' ', '\t',
];

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'splice'; at: number; text: string }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 20 })) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function apply(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const n = Math.max(lines.length, 1);
  switch (m.kind) {
    case 'delete':
      lines.splice(m.at % n, 1);
      return lines.join('\n');
    case 'duplicate':
      lines.splice(m.at % n, 0, lines[m.at % n] ?? '');
      return lines.join('\n');
    case 'swap': {
      const a = m.a % n;
      const b = m.b % n;
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      return lines.join('\n');
    }
    case 'insert':
      lines.splice(m.at % (n + 1), 0, m.text);
      return lines.join('\n');
    case 'splice': {
      const at = m.at % (text.length + 1);
      return `${text.slice(0, at)} ${m.text} ${text.slice(at)}`;
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
  }
}

test('mutated configurations never crash the parser: only errors and warnings with file:line', () => {
  const seed = process.env['VIGIL_FUZZ_SEED'] === undefined ? undefined : Number(process.env['VIGIL_FUZZ_SEED']);
  fc.assert(
    fc.property(fc.nat({ max: TEXTS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.constantFrom(undefined, 'main', 'backup'), (index, mutations, configId) => {
      let text = TEXTS[index]!;
      for (const m of mutations) text = apply(text, m);
      const fs = memoryFileSystem({ '/fz/keepalived.conf': text, '/fz/other.conf': TEXTS[(index + 1) % TEXTS.length]! });
      const result = parseConfigText(text, '/fz/keepalived.conf', { fs, configId });
      for (const d of [...result.errors, ...result.warnings]) {
        assert.equal(typeof d.file, 'string');
        assert.ok(Number.isInteger(d.line) && d.line >= 0, `line ${d.line}`);
        assert.ok(d.message.length > 0);
        assert.ok(!d.message.startsWith('internal error'), d.message);
      }
      JSON.stringify(dumpConfig(result.config));
    }),
    { numRuns: 4000, ...(seed !== undefined ? { seed } : {}) },
  );
});
