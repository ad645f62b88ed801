/**
 * Without a loadable native addon (an npm install on a platform no addon is shipped for), vigil says so in one
 * warning line naming what is slower or unavailable, and what does not need the addon still runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROOT = join(DIST, '..');
const NATIVE = join(DIST, 'native', 'index.js');

function withAddon(addon: string, code: string): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, VIGIL_NATIVE_ADDON: addon } });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

test('an addon that is not a loadable library: one warning line, nativeAvailable false, a clear error for callers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-addon-'));
  try {
    const bad = join(dir, 'vigil_native.node');
    writeFileSync(bad, 'not an ELF file\n');
    const out = withAddon(
      bad,
      `const n = await import(${JSON.stringify(NATIVE)});
       console.log(n.nativeAvailable(), n.nativeAvailable());
       try { n.interfaceIndex('lo'); } catch (e) { console.log('error:', e.message); }
       try { n.openPreciseTimer(() => {}); } catch (e) { console.log('error:', e.message); }`,
    );
    assert.equal(out.status, 0, out.stderr);
    const lines = out.stdout.trim().split('\n');
    assert.equal(lines[0], 'false false');
    assert.match(lines[1]!, new RegExp(`^error: the vigil_native addon cannot be loaded on ${process.platform}-${process.arch}: .*${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(lines[2], lines[1], 'every later use gets the same error, without loading again');
    const warnings = out.stderr.trim().split('\n');
    assert.equal(warnings.length, 1, `one warning line, not ${out.stderr}`);
    assert.match(warnings[0]!, /^vigil: warning: the vigil_native addon cannot be loaded on .*: VRRP .* cannot run .*TCP and HTTP checks use Node's sockets \(slower\)/);
    assert.doesNotMatch(out.stderr, /^\s+at /m, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing addon: the warning names the platform and where it looked', () => {
  const out = withAddon('/nonexistent/vigil_native.node', `const n = await import(${JSON.stringify(NATIVE)}); console.log(n.nativeAvailable());`);
  assert.equal(out.stdout.trim(), 'false');
  assert.match(out.stderr, new RegExp(`^vigil: warning: no vigil_native addon for ${process.platform}-${process.arch} .*looked in: /nonexistent/vigil_native.node: VRRP`));
  assert.equal(out.stderr.trim().split('\n').length, 1);
});

test('without the addon, config test and the simulator run as with it, and warn nothing', () => {
  const env = { ...process.env, VIGIL_NATIVE_ADDON: '/nonexistent/vigil_native.node' };
  const cli = join(ROOT, 'bin', 'vigil');
  const sim = spawnSync(process.execPath, [cli, 'sim', join(ROOT, 'examples', 'two-node-failover.json'), '--json'], { encoding: 'utf8', env });
  assert.equal(sim.status, 0, sim.stderr);
  assert.equal(sim.stderr, '');
  const normal = spawnSync(process.execPath, [cli, 'sim', join(ROOT, 'examples', 'two-node-failover.json'), '--json'], { encoding: 'utf8' });
  assert.equal(sim.stdout, normal.stdout);
  const check = spawnSync(process.execPath, [cli, 'config', 'test', '-q', '--no-host-checks', '-f', join(ROOT, 'examples', 'directors.conf')], { encoding: 'utf8', env });
  assert.equal(check.status, 0, check.stderr);
  assert.equal(check.stderr, '');
});
