/**
 * --secure-config on real files: a configuration file, or a directory above it (as written or through a link),
 * that a user other than root could change is refused; keepalived does no such check, so without the option
 * nothing is said. Changing an owner and running the daemon need root: those cases skip with the reason otherwise.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { configFileInsecurity } from '../../config/file-security.js';
import { nodeFileSystem } from '../../config/node-files.js';
import { parseConfigFile } from '../../config/parse.js';
import { ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'config-input-security-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const root = process.geteuid?.() === 0;
const NOBODY = 65534;
/** A file in the temporary directory itself must pass (it does under /tmp as root), or every case would fail for its sake. */
writeFileSync(join(dir, 'probe.conf'), '');
const unsafeTmp = configFileInsecurity(nodeFileSystem, join(dir, 'probe.conf'));

function write(rel: string, text: string, mode = 0o644): string {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

function directory(rel: string, mode: number): string {
  const p = join(dir, rel);
  mkdirSync(p, { recursive: true });
  chmodSync(p, mode);
  return p;
}

function errors(file: string, secureConfig: boolean): string[] {
  return parseConfigFile(file, { secureConfig }).errors.map(formatDiagnostic).map((l) => l.split(`${dir}/`).join('./'));
}

const CONF = 'global_defs {\n  vrrp_garp_master_delay 5\n}\n';

test('a file in a directory everyone may write is refused with --secure-config, and only then', (t) => {
  if (unsafeTmp !== undefined) {
    t.skip(`the temporary directory is not secure itself: ${unsafeTmp}`);
    return;
  }
  directory('open', 0o777);
  const file = write('open/keepalived.conf', CONF);
  assert.deepEqual(errors(file, false), []);
  assert.deepEqual(errors(file, true), [`./open/keepalived.conf:0: './open/keepalived.conf' is not secure: './open' can be changed by a user other than root (--secure-config)`]);
});

test('a sticky world-writable directory (as /tmp) and root-owned files of mode 0644 under 0755 directories pass', (t) => {
  if (unsafeTmp !== undefined) {
    t.skip(`the temporary directory is not secure itself: ${unsafeTmp}`);
    return;
  }
  directory('sticky', 0o1777);
  assert.deepEqual(errors(write('sticky/keepalived.conf', CONF), true), []);
  directory('safe', 0o755);
  const main = write('safe/keepalived.conf', `${CONF}include conf.d/*.conf\n`);
  write('safe/conf.d/a.conf', '# a\n');
  assert.deepEqual(errors(main, true), []);
});

test('an include through a link in a safe directory to a file in an unsafe one is refused at the include line', (t) => {
  if (unsafeTmp !== undefined) {
    t.skip(`the temporary directory is not secure itself: ${unsafeTmp}`);
    return;
  }
  directory('linked', 0o755);
  directory('elsewhere', 0o777);
  write('elsewhere/vi.conf', '# vi\n');
  symlinkSync(join(dir, 'elsewhere/vi.conf'), join(dir, 'linked/vi.conf'));
  const main = write('linked/keepalived.conf', `${CONF}include vi.conf\n`);
  assert.deepEqual(errors(main, true), [`./linked/keepalived.conf:4: include: './linked/vi.conf' is not secure: './elsewhere' can be changed by a user other than root (--secure-config)`]);
});

test('a file owned by another user, or writable by a group other than root, is refused', (t) => {
  if (!root || unsafeTmp !== undefined) {
    t.skip(!root ? 'changing a file owner needs root' : `the temporary directory is not secure itself: ${unsafeTmp}`);
    return;
  }
  const owned = write('owner/keepalived.conf', CONF);
  chownSync(owned, NOBODY, 0);
  assert.deepEqual(errors(owned, true), [`./owner/keepalived.conf:0: './owner/keepalived.conf' is not secure: './owner/keepalived.conf' can be changed by a user other than root (--secure-config)`]);
  const group = write('group/keepalived.conf', CONF, 0o664);
  chownSync(group, 0, NOBODY);
  assert.deepEqual(errors(group, true), [`./group/keepalived.conf:0: './group/keepalived.conf' is not secure: './group/keepalived.conf' can be changed by a user other than root (--secure-config)`]);
  // Group-writable by root's group is fine.
  const rootGroup = write('root-group/keepalived.conf', CONF, 0o664);
  chownSync(rootGroup, 0, 0);
  assert.deepEqual(errors(rootGroup, true), []);
});

test('vigil config test --secure-config: exit 1 and one line; without it, exit 0', async (t) => {
  if (unsafeTmp !== undefined) {
    t.skip(`the temporary directory is not secure itself: ${unsafeTmp}`);
    return;
  }
  const file = write('cli/keepalived.conf', CONF);
  chmodSync(join(dir, 'cli'), 0o777);
  const run = (args: string[]): Promise<{ code: number; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'config', 'test', '--no-host-checks', '-q', ...args, '-f', file], { encoding: 'utf8', timeout: 20_000 }, (err, _stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr });
      });
    });
  assert.deepEqual(await run([]), { code: 0, stderr: '' });
  assert.deepEqual(await run(['--secure-config']), { code: 1, stderr: `${file}:0: '${file}' is not secure: '${dir}/cli' can be changed by a user other than root (--secure-config)\n` });
});

test('vigil run --secure-config refuses such a file at start: exit 1, one line, nothing left behind', async (t) => {
  if (unsafeTmp !== undefined || !root) {
    t.skip(!root ? 'vigil run needs root' : `the temporary directory is not secure itself: ${unsafeTmp}`);
    return;
  }
  const file = write('run/keepalived.conf', CONF);
  chmodSync(join(dir, 'run'), 0o777);
  const pid = join(dir, 'run.pid');
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const args = [join(ROOT, 'dist/cli/main.js'), 'run', '--secure-config', '-f', file, '-p', pid, '--status-socket', join(dir, 'run.sock')];
    execFile(process.execPath, args, { encoding: 'utf8', timeout: 20_000 }, (err, _stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr });
    });
  });
  assert.deepEqual(r, { code: 1, stderr: `vigil: ${file}:0: '${file}' is not secure: '${dir}/run' can be changed by a user other than root (--secure-config)\n` });
  assert.equal(existsSync(pid), false);
});
