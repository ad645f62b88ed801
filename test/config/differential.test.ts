/**
 * Differential check against Debian's keepalived 2.2.7: for the configurations in test/config/differential,
 * `keepalived -t -f FILE` and `vigil config test -f FILE` agree on valid/invalid. valid/ must pass both, invalid/
 * must fail both; warn/ holds what keepalived reports but vigil only warns about, so vigil runs with --strict.
 * keepalived -t checks that interfaces exist, so it runs in a network namespace with an eth0. Skipped (with the
 * reason) without root/netns or keepalived, unless VIGIL_REQUIRE_NETNS=1.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandAvailable, createLan, requireNetns } from '../netns/harness.js';
import { ROOT } from './helpers.js';

const DIR = join(ROOT, 'test/config/differential');
const CLI = join(ROOT, 'dist/cli/main.js');
const CONFIG_ID = 'lb1';

interface Outcome {
  readonly code: number;
  readonly output: string;
}

function run(file: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 128;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

function configs(kind: 'valid' | 'invalid' | 'warn'): string[] {
  return readdirSync(join(DIR, kind))
    .filter((f) => f.endsWith('.conf'))
    .sort()
    .map((f) => join(DIR, kind, f));
}

test('keepalived -t and vigil config test agree on valid and invalid configurations', async (t) => {
  if (!requireNetns(t, () => commandAvailable('keepalived'))) return;
  const lan = await createLan({ name: 'cfgdiff', hosts: ['k'], v4Prefix: '192.168.77.X', v4Start: 200 });
  try {
    const ns = lan.host('k').ns;
    const cases = [
      ...configs('valid').map((file) => ({ file, valid: true, strict: false })),
      ...configs('invalid').map((file) => ({ file, valid: false, strict: false })),
      ...configs('warn').map((file) => ({ file, valid: false, strict: true })),
    ];
    assert.ok(cases.filter((c) => c.valid).length >= 10 && cases.filter((c) => !c.valid).length >= 10);
    const results = await Promise.all(
      cases.map(async (c) => {
        const [keepalived, vigil] = await Promise.all([
          run('ip', ['netns', 'exec', ns, 'keepalived', '-t', '-f', c.file, '-i', CONFIG_ID]),
          run(process.execPath, [CLI, 'config', 'test', '-q', ...(c.strict ? ['--strict'] : []), '-f', c.file, '-i', CONFIG_ID]),
        ]);
        return { ...c, keepalived, vigil };
      }),
    );
    const disagreements = results
      .filter((r) => (r.keepalived.code === 0) !== r.valid || (r.vigil.code === 0) !== r.valid)
      .map((r) => `${r.file}: expected ${r.valid ? 'valid' : 'invalid'}; keepalived exit ${r.keepalived.code}: ${r.keepalived.output.trim().split('\n')[0] ?? ''}; vigil exit ${r.vigil.code}: ${r.vigil.output.trim().split('\n')[0] ?? ''}`);
    assert.deepEqual(disagreements, []);
    // An invalid configuration makes vigil name a file and line for at least one problem.
    for (const r of results.filter((x) => !x.valid)) assert.match(r.vigil.output, /\.conf:\d+: /, r.file);
  } finally {
    await lan.cleanup();
  }
});
