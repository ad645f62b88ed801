/** `vigil run` refusals: not root, a bad configuration; keepalived's spelling `vigil -f`. One line, exit 1. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkoutReadableBy } from './readable-copy.js';
import { inTempDir } from '../temp-dir.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const VIGIL = join(ROOT, 'bin/vigil');

/** Runs `body` as root only (the daemon refuses to start otherwise: skipped elsewhere), in a temporary directory all can read. */
async function asRootInDir(t: TestContext, prefix: string, body: (dir: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) {
    t.skip('needs root: the daemon refuses to start otherwise');
    return;
  }
  await inTempDir(prefix, async (dir) => {
    chmodSync(dir, 0o755);
    body(dir);
  });
}

test('without root: one line naming what is needed, exit 1', (t) => {
  if (process.getuid?.() !== 0 || spawnSync('runuser', ['--help']).status !== 0) {
    t.skip('needs root (to drop to nobody with runuser)');
    return;
  }
  // From a checkout nobody can read (a clone under /root, mode 0700), the CLI runs from a readable copy.
  const checkout = checkoutReadableBy('nobody', ROOT);
  t.after(() => checkout.cleanup());
  if (checkout.copied) t.diagnostic(`${checkout.copied}: running a copy`);
  const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, join(checkout.root, 'dist/cli/main.js'), 'run', '-f', '/nonexistent.conf'], { encoding: 'utf8', cwd: '/' });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /root is required/);
});

test('a bad configuration: one line with file:line, exit 1, no stack, pid file not left behind', (t) =>
  asRootInDir(t, 'vigil-run-', (dir) => {
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 0\n  priority 100\n}\n');
    const pid = join(dir, 'vigil.pid');
    for (const argv of [['run', '-f', conf, '-p', pid, '--status-socket', join(dir, 's')], ['-f', conf, '-p', pid, '-l', '-D', '-n', '--status-socket', join(dir, 's')]]) {
      const r = spawnSync(VIGIL, argv, { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 1, `${argv.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /bad\.conf:3: .*virtual_router_id/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(existsSync(pid), false);
    }
    // An interface that does not exist: refused like keepalived does, naming the instance's line.
    writeFileSync(conf, 'vrrp_instance VI_1 {\n  interface vigil-no-if0\n  virtual_router_id 9\n  priority 100\n}\n');
    const noIf = spawnSync(VIGIL, ['run', '-f', conf, '-p', pid, '--status-socket', join(dir, 's')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(noIf.status, 1, noIf.stderr);
    assert.match(noIf.stderr, /bad\.conf:1: vrrp_instance VI_1: interface vigil-no-if0 does not exist/);
    // A net_namespace that does not exist, a bad -u: one line each, and no pid file.
    writeFileSync(conf, 'net_namespace vigil-kw-proc-none\nvrrp_instance VI_1 {\n  interface lo\n  virtual_router_id 9\n  priority 100\n}\n');
    const noNs = spawnSync(VIGIL, ['run', '-f', conf, '--status-socket', join(dir, 's')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(noNs.status, 1, noNs.stderr);
    assert.deepEqual(noNs.stderr.trim().split('\n').filter((l) => !l.startsWith('{')), [
      'vigil: net_namespace vigil-kw-proc-none: /run/netns/vigil-kw-proc-none: ENOENT (create it with ip netns add vigil-kw-proc-none)',
    ]);
    assert.equal(existsSync('/run/vigil/vigil-kw-proc-none'), false);
    const badUmask = spawnSync(VIGIL, ['-f', conf, '-u', '0999', '-p', pid, '--status-socket', join(dir, 's')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(badUmask.status, 1, badUmask.stderr);
    assert.equal(badUmask.stderr.trim(), 'vigil: --umask: not a file mode mask: 0999');
    const missing = spawnSync(VIGIL, ['run', '-f', join(dir, 'none.conf'), '-p', pid, '--status-socket', join(dir, 's')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /none\.conf/);
  }),
);

test('vigil run --strict: a keyword vigil does not implement refuses the start with its file:line, exit 1', (t) =>
  asRootInDir(t, 'vigil-run-strict-', (dir) => {
    // An interface that does not exist: were --strict ignored, the start would fail on it instead.
    const conf = join(dir, 'strict.conf');
    writeFileSync(conf, 'vrrp_instance VI_1 {\n  interface vigil-no-if0\n  virtual_router_id 9\n  vrf blue\n  unicast_peer {\n    192.0.2.9\n  }\n}\n');
    const pid = join(dir, 'vigil.pid');
    const r = spawnSync(VIGIL, ['run', '--strict', '-f', conf, '-p', pid, '--status-socket', join(dir, 's')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
    assert.deepEqual(lines, [`vigil: ${conf}:4: vrrp_instance vrf is accepted but not implemented by vigil (and 1 more problem)`]);
    assert.equal(existsSync(pid), false);
  }),
);

test('vigil status without a daemon: one line, exit 1', () => {
  const r = spawnSync(VIGIL, ['status', '--socket', '/tmp/vigil-no-such.sock'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot reach the daemon at \/tmp\/vigil-no-such\.sock/);
});
