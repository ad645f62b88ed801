/**
 * `npm run package`: from a built checkout, the npm tarball `vigil-VERSION.tgz` and the Debian package
 * `vigil_VERSION-1_ARCH.deb` in build/ (or `--out DIR`), both carrying the same staged application, man pages and
 * bash completion.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliTree, vigilProgram } from './cli-tree.js';
import { bashCompletion } from './completion.js';
import { buildDebianPackage } from './debian-package.js';
import { vigilConfManPage } from './man-vigil-conf.js';
import { vigilManPage } from './man-vigil.js';
import { packNpmTarball } from './npm-tarball.js';
import { stageApp, type StagedApp } from './stage-app.js';

export interface BuiltPackages {
  readonly version: string;
  readonly tarball: string;
  readonly deb: string;
  /** The staged application both carry. */
  readonly app: StagedApp;
}

/** When the packages were made: SOURCE_DATE_EPOCH (reproducible builds), else the last commit's time, else now. */
function buildTime(root: string): Date {
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  try {
    const out = execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (/^\d+$/.test(out)) return new Date(Number(out) * 1000);
  } catch {
    // Not a git checkout (a source tarball): the time of the build.
  }
  return new Date();
}

/** The man pages and the completion, made from the program and config/'s lists. */
export async function generatedDocs(version: string, date: string): Promise<{ manPages: Record<string, string>; completion: string }> {
  const tree = cliTree(await vigilProgram());
  const info = { version, date };
  return { manPages: { 'vigil.8': vigilManPage(tree, info), 'vigil.conf.5': vigilConfManPage(info) }, completion: bashCompletion(tree) };
}

export async function buildPackages(root: string, outDir: string): Promise<BuiltPackages> {
  mkdirSync(outDir, { recursive: true });
  const when = buildTime(root);
  const app = stageApp(root, join(outDir, 'app'));
  const docs = await generatedDocs(app.version, when.toISOString().slice(0, 10));
  // npm links a package's `man` entries into PREFIX/share/man on a global install.
  mkdirSync(join(app.dir, 'man'), { recursive: true });
  for (const [name, roff] of Object.entries(docs.manPages)) writeFileSync(join(app.dir, 'man', name), roff);
  mkdirSync(join(app.dir, 'completion'), { recursive: true });
  writeFileSync(join(app.dir, 'completion', 'vigil.bash'), docs.completion);
  const manifestPath = join(app.dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  manifest['man'] = Object.keys(docs.manPages).map((name) => `./man/${name}`);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  const tarball = packNpmTarball(app.dir, outDir);
  const deb = buildDebianPackage({
    root,
    appDir: app.dir,
    modules: app.modules,
    version: app.version,
    manPages: docs.manPages,
    bashCompletion: docs.completion,
    date: when.toUTCString().replace('GMT', '+0000'),
    maintainer: process.env['VIGIL_MAINTAINER'] ?? 'vigil maintainers <vigil@example.org>',
    outDir,
  });
  return { version: app.version, tarball, deb, app };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const outFlag = process.argv.indexOf('--out');
  const outDir = resolve(outFlag > 0 && process.argv[outFlag + 1] !== undefined ? process.argv[outFlag + 1]! : join(root, 'build'));
  try {
    const built = await buildPackages(root, outDir);
    process.stdout.write(`${built.tarball}\n${built.deb}\n`);
  } catch (err) {
    process.stderr.write(`vigil package: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
