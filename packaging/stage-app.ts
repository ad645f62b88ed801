/**
 * The installed application, as both packages carry it: package.json (without scripts or devDependencies), the
 * `vigil` launcher, the compiled JavaScript without tests, benches or the packaging itself, the prebuilt native
 * addon, and the production node_modules with what nothing loads left out (sources, maps, type declarations, other
 * platforms' prebuilt binaries, build intermediates).
 */
import { chmodSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { nodeModulesDir, productionModules, type ModulePackage } from './production-modules.js';

/** dist/ folders that are not the program. */
const NOT_SHIPPED_DIST = new Set(['test', 'bench', 'packaging']);

/** Files no installed package reads. */
const NOT_SHIPPED_FILE = /(^\..*|\.html|\.map|\.d\.ts|\.d\.mts|\.d\.cts|\.tsbuildinfo|\.md|\.markdown|\.gyp|\.gypi|\.mk|\.cc|\.cpp|\.c|\.h|\.hpp|\.o|Makefile)$/i;
/** A license or notice file stays with its package, whatever its extension. */
const LEGAL = /^(licen[cs]e|copying|notice|authors)/i;
/** Directories at a package's top that no installed package reads (deeper down, such names may be code: yaml/dist/doc). */
const NOT_SHIPPED_TOP_DIR = ['.github', 'test', 'tests', '__tests__', 'example', 'examples', 'docs', 'doc', 'benchmark', 'benchmarks', 'coverage'];
/** node-gyp's intermediates, wherever they are. */
const BUILD_INTERMEDIATE_DIR = new Set(['obj.target', '.deps']);

/**
 * Per package, what its entry points never reach: rxjs is loaded through its `node` export (dist/cjs); elkjs
 * through lib/elk.bundled.js, which embeds its worker; netlink's prebuilt binaries for platforms vigil does not run on.
 */
const NOT_SHIPPED_PATHS: Readonly<Record<string, readonly string[]>> = {
  rxjs: ['src', 'dist/esm', 'dist/esm5', 'dist/bundles', 'dist/types'],
  elkjs: ['lib/elk-worker.js', 'lib/elk-worker.min.js', 'lib/main.js'],
  netlink: ['src', 'prebuilds/linux-arm', 'prebuilds/linux-ia32'],
  'raw-socket': ['src', 'build/Makefile', 'build/config.gypi'],
  'node-addon-api': ['tools'],
};

export interface StagedApp {
  readonly dir: string;
  readonly version: string;
  readonly modules: readonly ModulePackage[];
}

interface RootManifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly type?: string;
  readonly bin?: Readonly<Record<string, string>>;
  readonly engines?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
}

function prune(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (BUILD_INTERMEDIATE_DIR.has(entry.name)) rmSync(path, { recursive: true });
      else prune(path);
    } else if (NOT_SHIPPED_FILE.test(entry.name) && !LEGAL.test(entry.name)) {
      rmSync(path);
    }
  }
}

function startsWithShebang(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}

/** Modes as a Debian package wants them: directories 0755, scripts 0755, everything else (addons too) 0644. */
export function normalizeModes(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) normalizeModes(path);
    else if (entry.isFile()) chmodSync(path, startsWithShebang(path) ? 0o755 : 0o644);
  }
}

/** The lifecycle scripts npm runs when a package is installed. */
export const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

/**
 * A bundled dependency's install scripts out of its manifest: netlink's and msgpackr-extract's (node-gyp-build)
 * check for a prebuilt binary and compile one when there is none. Their binaries ship prebuilt (netlink for
 * linux-x64 and linux-arm64, msgpackr-extract for linux-x64; without it msgpackr is pure JavaScript), so an install
 * runs no script at all and never reaches for a compiler.
 */
function withoutInstallScripts(manifestPath: string): void {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { scripts?: Record<string, string>; gypfile?: boolean };
  const scripts = manifest.scripts ?? {};
  if (!INSTALL_SCRIPTS.some((name) => name in scripts) && manifest.gypfile === undefined) return;
  for (const name of INSTALL_SCRIPTS) delete scripts[name];
  delete manifest.gypfile;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Every `.node` binary under `dir`. */
export function nodeBinaries(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.node'))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Debugging symbols out of this machine's binaries (`strip --strip-unneeded`, as dh_strip does): smaller, and what
 * lintian asks of a package. Another architecture's prebuilt binary, or a machine without binutils, keeps them.
 */
function stripBinaries(dir: string): void {
  for (const path of nodeBinaries(dir)) {
    try {
      execFileSync('strip', ['--strip-unneeded', path], { stdio: 'ignore' });
    } catch {
      // Not this architecture's ELF, or no strip: shipped as it is.
    }
  }
}

/** Empty directories left by the pruning. */
function removeEmptyDirs(dir: string): boolean {
  let empty = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !removeEmptyDirs(join(dir, entry.name))) empty = false;
  }
  if (empty) rmSync(dir, { recursive: true });
  return empty;
}

/** Stages the application into `dest` (made anew) from the built checkout at `root`. */
export function stageApp(root: string, dest: string): StagedApp {
  const addon = join(root, 'native', 'build', 'Release', 'vigil_native.node');
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  if (!existsSync(addon)) throw new Error(`${addon} is missing: run \`npm run build:native\` first`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });

  const top = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as RootManifest;
  const modules = productionModules(root);
  // The installed manifest: what npm and Node read. No scripts (nothing is built on the target: the addon and the
  // dependencies' binaries are prebuilt), every dependency bundled so that an install needs no registry.
  const installed = {
    name: top.name,
    version: top.version,
    description: top.description,
    license: top.license,
    type: top.type,
    bin: top.bin,
    engines: top.engines,
    os: ['linux'],
    dependencies: top.dependencies,
    bundleDependencies: Object.keys(top.dependencies ?? {}),
  };
  writeFileSync(join(dest, 'package.json'), `${JSON.stringify(installed, null, 2)}\n`);
  cpSync(join(root, 'bin'), join(dest, 'bin'), { recursive: true });
  for (const doc of ['README.md']) cpSync(join(root, doc), join(dest, doc));
  // The DBus policy (enable_dbus), for /etc/dbus-1/system.d: the .deb installs it itself.
  cpSync(join(root, 'packaging', 'org.keepalived.Vrrp1.conf'), join(dest, 'dbus', 'org.keepalived.Vrrp1.conf'));
  cpSync(join(root, 'dist'), join(dest, 'dist'), {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(join(root, 'dist').length + 1);
      return !NOT_SHIPPED_DIST.has(rel.split('/')[0]!) && !src.endsWith('.map');
    },
  });
  mkdirSync(join(dest, 'native', 'build', 'Release'), { recursive: true });
  cpSync(addon, join(dest, 'native', 'build', 'Release', basename(addon)));

  const from = nodeModulesDir(root);
  for (const m of modules) {
    const target = join(dest, 'node_modules', m.path);
    cpSync(join(from, m.path), target, {
      recursive: true,
      dereference: true,
      // A package's own nested node_modules are copied as packages of their own (only those in use).
      filter: (src) => !src.slice(join(from, m.path).length).includes('/node_modules/') && !src.endsWith('/.bin'),
    });
    for (const rel of [...NOT_SHIPPED_TOP_DIR, ...(NOT_SHIPPED_PATHS[m.name] ?? [])]) rmSync(join(target, rel), { recursive: true, force: true });
  }
  prune(join(dest, 'node_modules'));
  for (const m of modules) withoutInstallScripts(join(dest, 'node_modules', m.path, 'package.json'));
  stripBinaries(dest);
  removeEmptyDirs(join(dest, 'node_modules'));
  normalizeModes(dest);
  chmodSync(join(dest, 'bin', 'vigil'), 0o755);
  return { dir: dest, version: top.version, modules };
}

/** Bytes under a directory (files only; what `du --apparent-size` counts). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
