/**
 * `npm run package`'s two artifacts, built once from this checkout, each installed into a clean root (dpkg -x,
 * and npm install -g --prefix --offline) with no compiler on PATH, then run from there: --version, config test on
 * the sample configurations, the simulator on the example scenario, each answering as the checkout does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPackages, type BuiltPackages } from '../../packaging/build-package.js';
import { INSTALL_SCRIPTS } from '../../packaging/stage-app.js';
import { onPath } from './tools.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCENARIO = join(ROOT, 'examples', 'two-node-failover.json');
const shared = join(ROOT, '..', 'shared', 'keepalived-samples');
const SAMPLES = existsSync(shared)
  ? readdirSync(shared).map((f) => join(shared, f))
  : readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.conf')).map((f) => join(ROOT, 'examples', f));

const missing = ['dpkg-deb', 'npm'].filter((tool) => !onPath(tool));
const skip = process.platform !== 'linux' ? 'packages are built on Linux' : missing.length > 0 ? `${missing.join(' and ')} not installed` : false;

let work = '';
let built: BuiltPackages;
/** A PATH with node, npm and the system's commands, but no cc, g++, make or python. */
let barePath = '';

before(async () => {
  if (skip !== false) return;
  work = mkdtempSync(join(tmpdir(), 'vigil-packaging-'));
  built = await buildPackages(ROOT, join(work, 'out'));
  const bin = join(work, 'bare-bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim()), join(bin, 'npm'));
  symlinkSync(realpathSync('/bin/sh'), join(bin, 'sh'));
  // The rest of the system's commands (a vrrp_script's program is looked up in $PATH by config test, as keepalived
  // -t does), but no compiler, linker, make or Python: what a router has.
  const builds = /^(cc|c\+\+|cpp|gcc|g\+\+|clang|ld|as|make|gmake|python|node-gyp)|gcc|g\+\+|python|-linux-gnu-/;
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (builds.test(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  barePath = bin;
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

function run(vigil: string, args: readonly string[], env: NodeJS.ProcessEnv = { PATH: barePath }): { status: number | null; out: string } {
  const r = spawnSync(vigil, args, { encoding: 'utf8', env: { HOME: work, ...env } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const checkoutAnswers = new Map<string, { status: number | null; out: string }>();

/** The checkout's own answer (asked once for both installs). */
function checkout(args: readonly string[]): { status: number | null; out: string } {
  const key = args.join('\0');
  let answer = checkoutAnswers.get(key);
  if (answer === undefined) checkoutAnswers.set(key, (answer = run(join(ROOT, 'bin', 'vigil'), args, process.env)));
  return answer;
}

/** The installed vigil answers as the checkout's does. */
function behavesAsCheckout(vigil: string): void {
  assert.deepEqual(run(vigil, ['--version']), { status: 0, out: `${built.version}\n` });
  for (const sample of SAMPLES) {
    const args = ['config', 'test', '--no-interfaces', '-f', sample];
    const installed = run(vigil, args);
    assert.equal(installed.status, 0, `${sample}: ${installed.out}`);
    assert.deepEqual(installed, checkout(args), sample);
  }
  const sim = run(vigil, ['sim', SCENARIO, '--json']);
  assert.equal(sim.status, 0, sim.out);
  assert.ok((JSON.parse(sim.out) as { invariants: unknown[] }).invariants.length > 0);
  assert.deepEqual(sim, checkout(['sim', SCENARIO, '--json']));
}

test('the PATH of the installs has node and npm but no compiler', { skip }, () => {
  for (const tool of ['cc', 'gcc', 'g++', 'make', 'python3', 'python']) {
    assert.notEqual(spawnSync('sh', ['-c', `command -v ${tool}`], { env: { PATH: barePath } }).status, 0, `${tool} is on the bare PATH`);
  }
});

test('the .deb: its control fields, conffile, unit, maintainer scripts and files', { skip }, () => {
  const field = (name: string): string => execFileSync('dpkg-deb', ['--field', built.deb, name], { encoding: 'utf8' }).trim();
  assert.equal(field('Package'), 'vigil');
  assert.equal(field('Version'), `${built.version}-1`);
  assert.match(field('Depends'), /^nodejs \(>= 20\)/);
  const root = join(work, 'deb-control');
  execFileSync('dpkg-deb', ['--control', built.deb, root]);
  assert.equal(readFileSync(join(root, 'conffiles'), 'utf8'), '/etc/vigil/vigil.conf\n');
  for (const script of ['postinst', 'prerm', 'postrm']) {
    const text = readFileSync(join(root, script), 'utf8');
    assert.doesNotMatch(text, /systemctl\s+(--\S+\s+)*(enable|start|restart|reload-or-restart)\b|deb-systemd-(helper|invoke)/, `${script} enables or starts the service`);
  }
  const files = execFileSync('dpkg-deb', ['--contents', built.deb], { encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const path of [
    './usr/bin/vigil -> ../lib/vigil/bin/vigil',
    './lib/systemd/system/vigil.service',
    './etc/vigil/vigil.conf',
    './usr/share/dbus-1/system.d/org.keepalived.Vrrp1.conf',
    './usr/share/man/man8/vigil.8.gz',
    './usr/share/man/man5/vigil.conf.5.gz',
    './usr/share/bash-completion/completions/vigil',
    './usr/share/doc/vigil/copyright',
    './usr/share/doc/vigil/changelog.Debian.gz',
    './usr/lib/vigil/native/build/Release/vigil_native.node',
  ]) {
    assert.ok(files.includes(path), `${path} is not in the package`);
  }
  for (const absent of ['./usr/lib/vigil/dbus/', '/dist/test/', '/dist/bench/', '/node_modules/typescript/', '/node_modules/mermaid/', '/node_modules/fast-check/', '.js.map', 'elk-worker']) {
    assert.ok(!files.includes(absent), `${absent} is in the package`);
  }
});

test('installed from the .deb (dpkg -x into a clean root), vigil runs as the checkout does, with no compiler', { skip }, () => {
  const root = join(work, 'deb-root');
  execFileSync('dpkg', ['-x', built.deb, root]);
  assert.equal(readFileSync(join(root, 'lib/systemd/system/vigil.service'), 'utf8'), readFileSync(join(ROOT, 'packaging/vigil.service'), 'utf8'));
  behavesAsCheckout(join(root, 'usr', 'bin', 'vigil'));
  // The default configuration is one vigil reads: an include of keepalived's file when there is one.
  const config = run(join(root, 'usr', 'bin', 'vigil'), ['config', 'test', '-f', join(root, 'etc/vigil/vigil.conf')]);
  assert.equal(config.status, 0, config.out);
});

test('installed from the npm tarball (npm install -g --prefix --offline), vigil runs as the checkout does, with no compiler', { skip }, () => {
  const listing = execFileSync('tar', ['-tzf', built.tarball], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(listing.includes('package/native/build/Release/vigil_native.node'));
  assert.ok(listing.includes('package/dbus/org.keepalived.Vrrp1.conf'), 'the DBus policy');
  assert.ok(!listing.includes('package/dist/test/'));
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', built.tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
  assert.equal(manifest['scripts'], undefined, 'no scripts: nothing is built on install');
  assert.equal(manifest['devDependencies'], undefined);
  assert.deepEqual(manifest['bundleDependencies'], Object.keys(manifest['dependencies'] as object));
  for (const m of built.app.modules) {
    const bundled = JSON.parse(readFileSync(join(built.app.dir, 'node_modules', m.path, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    for (const script of INSTALL_SCRIPTS) assert.equal(bundled.scripts?.[script], undefined, `${m.path} would run ${script} at install`);
  }

  const prefix = join(work, 'npm-prefix');
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', '--foreground-scripts', built.tarball], {
    encoding: 'utf8',
    env: { PATH: barePath, HOME: work, npm_config_update_notifier: 'false' },
  });
  assert.equal(install.status, 0, `${install.stdout}${install.stderr}`);
  assert.doesNotMatch(install.stdout, /^> /m, 'no lifecycle script ran');
  behavesAsCheckout(join(prefix, 'bin', 'vigil'));
  assert.ok(existsSync(join(prefix, 'share', 'man', 'man8', 'vigil.8')), 'npm links the man page');
});

test('lintian finds no error in the .deb', { skip: skip !== false ? skip : onPath('lintian') ? false : 'lintian is not installed (apt install lintian)' }, () => {
  const r = spawnSync('lintian', ['--fail-on', 'error', built.deb], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.doesNotMatch(r.stdout, /^E: /m);
});
