/**
 * The packages of `npm run package` (issue 14): the size of the .deb, of the npm tarball and of what each puts on
 * disk without Node, the biggest bundled dependencies, and how long an install takes (dpkg -x, and npm install -g
 * --offline from the tarball). Goal: under 15 MB installed without Node.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { buildPackages } from '../packaging/build-package.js';
import { treeBytes } from '../packaging/stage-app.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOAL_BYTES = 15 * 1000 * 1000;

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

function timed<T>(f: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = f();
  return { value, ms: performance.now() - start };
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-package-'));
  try {
    const start = performance.now();
    const built = await buildPackages(ROOT, join(work, 'out'));
    const buildMs = performance.now() - start;
    const debRoot = join(work, 'deb-root');
    const deb = timed(() => execFileSync('dpkg', ['-x', built.deb, debRoot]));
    const prefix = join(work, 'prefix');
    const npm = timed(() =>
      execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--cache', join(work, 'cache'), '--no-audit', '--no-fund', built.tarball], {
        stdio: 'ignore',
        env: { ...process.env, npm_config_update_notifier: 'false' },
      }),
    );
    const debInstalled = treeBytes(debRoot);
    const npmInstalled = treeBytes(join(prefix, 'lib', 'node_modules', 'vigil'));
    const modulesDir = join(debRoot, 'usr', 'lib', 'vigil', 'node_modules');
    const modules = readdirSync(modulesDir)
      .flatMap((name) => (name.startsWith('@') ? readdirSync(join(modulesDir, name)).map((sub) => `${name}/${sub}`) : [name]))
      .map((name) => ({ name, bytes: treeBytes(join(modulesDir, name)) }))
      .sort((a, b) => b.bytes - a.bytes);
    const lines = [
      `package build: ${(buildMs / 1000).toFixed(1)} s (both artifacts, from a built checkout)`,
      `.deb ${built.deb.slice(built.deb.lastIndexOf('/') + 1)}: ${mb(statSync(built.deb).size)}`,
      `npm tarball ${built.tarball.slice(built.tarball.lastIndexOf('/') + 1)}: ${mb(statSync(built.tarball).size)}`,
      `installed without Node, .deb: ${mb(debInstalled)} (goal < ${mb(GOAL_BYTES)}: ${debInstalled < GOAL_BYTES ? 'met' : 'NOT met'})`,
      `  of which compiled JavaScript ${mb(treeBytes(join(debRoot, 'usr', 'lib', 'vigil', 'dist')))}, node_modules ${mb(treeBytes(modulesDir))}`,
      `  biggest dependencies: ${modules.slice(0, 5).map((m) => `${m.name} ${mb(m.bytes)}`).join(', ')}`,
      `installed without Node, npm: ${mb(npmInstalled)} (goal < ${mb(GOAL_BYTES)}: ${npmInstalled < GOAL_BYTES ? 'met' : 'NOT met'})`,
      `install time: dpkg -x ${deb.ms.toFixed(0)} ms; npm install -g --offline ${npm.ms.toFixed(0)} ms (wall time, on this machine's load)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
