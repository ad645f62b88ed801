/**
 * The text dump is keepalived.conf: reading what renderConfig wrote gives the same configuration, for the
 * fixtures, keepalived's samples (when present) and randomly mutated configurations that read without errors.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { dumpConfig } from '../../config/dump.js';
import { memoryFileSystem } from '../../config/files.js';
import { parseConfigFile, parseConfigText, type ParseResult } from '../../config/parse.js';
import type { Config } from '../../config/model.js';
import { renderConfig } from '../../config/render.js';
import { errorsOf, FIXTURES, samplesDir } from './helpers.js';

function reread(config: Config): ParseResult {
  const text = renderConfig(config);
  return parseConfigText(text, '/rendered/keepalived.conf', { fs: memoryFileSystem({ '/rendered/keepalived.conf': text }) });
}

function files(): string[] {
  const out = ['vrrp-full.conf', 'lvs-full.conf', 'include-main.conf', 'defaults.conf'].map((f) => join(FIXTURES, f));
  const samples = samplesDir();
  if (samples) out.push(...readdirSync(samples).map((f) => join(samples, f)).filter((f) => statSync(f).isFile()));
  else console.log('# render: keepalived samples not found, round trip of the fixtures only');
  return out;
}

test('fixtures and samples: rendered text reads back to the same configuration, without errors', () => {
  for (const file of files()) {
    const first = parseConfigFile(file, { configId: 'lb-a' });
    const second = reread(first.config);
    assert.deepEqual(errorsOf(second), [], file);
    assert.deepEqual(dumpConfig(second.config), dumpConfig(first.config), file);
  }
});

test('the rendered text spells defaults out', () => {
  const text = renderConfig(parseConfigFile(join(FIXTURES, 'defaults.conf')).config);
  assert.match(text, /\n    advert_int 1\n/);
  assert.match(text, /\n    garp_master_repeat 5\n/);
  assert.match(text, /\n    lb_kind NAT\n/);
  assert.match(text, /\n    protocol UDP\n/);
  assert.match(text, /\n        DNS_CHECK \{\n(.*\n)*?            retry 3\n/);
});

const MUTATIONS = ['', '    priority 77', '    nopreempt', '    advert_int 2.5', '    weight 3', '    delay_loop 7', '    connect_timeout 9', '    smtp_alert off', '    alpha'];

test('randomly edited configurations that read without errors also round-trip', () => {
  const texts = files().map((f) => readFileSync(f, 'utf8'));
  fc.assert(
    fc.property(fc.nat({ max: texts.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...MUTATIONS)), { maxLength: 6 }), (index, edits) => {
      const lines = texts[index]!.split('\n');
      for (const [at, text] of edits) lines.splice(at % (lines.length + 1), 0, text);
      const source = lines.join('\n');
      const first = parseConfigText(source, '/fz/keepalived.conf', { fs: memoryFileSystem({ '/fz/keepalived.conf': source }), configId: 'lb-a' });
      if (first.errors.length > 0) return;
      const second = reread(first.config);
      assert.deepEqual(errorsOf(second), []);
      assert.deepEqual(dumpConfig(second.config), dumpConfig(first.config));
    }),
    { numRuns: 400 },
  );
});
