/**
 * For tests that run the CLI as another user (`nobody`): the checkout itself when that user can read it, or else
 * (a clone under /root, mode 0700) a copy of what the CLI needs — the compiled code and the runtime packages of
 * package.json with the packages they depend on — in a temporary directory anyone can read.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Whether `user` can read `path` (every directory on the way searchable, the file readable). */
export function readableBy(user: string, path: string): boolean {
  return spawnSync('runuser', ['-u', user, '--', 'test', '-r', path]).status === 0;
}

/** The runtime packages of the checkout and everything they depend on, by name. */
function runtimePackages(root: string): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) return; // an optional dependency not installed here
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
  };
  const top = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(top.dependencies ?? {})) visit(name);
  return [...seen].sort();
}

export interface CliCheckout {
  /** Where dist/cli/main.js is. */
  readonly root: string;
  /** Why a copy was made, if one was. */
  readonly copied?: string;
  cleanup(): void;
}

/** The checkout at `root` as `user` can run it. */
export function checkoutReadableBy(user: string, root: string): CliCheckout {
  if (readableBy(user, join(root, 'dist', 'cli', 'main.js')) && readableBy(user, join(root, 'node_modules', 'commander', 'package.json'))) {
    return { root, cleanup: () => {} };
  }
  const copy = mkdtempSync(join(tmpdir(), 'vigil-readable-'));
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  if (existsSync(join(root, 'native', 'build'))) cpSync(join(root, 'native', 'build'), join(copy, 'native', 'build'), { recursive: true });
  for (const name of runtimePackages(root)) {
    const target = join(copy, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    // node_modules may be a symlink (a worktree's): copy what it points to.
    cpSync(realpathSync(join(root, 'node_modules', name)), target, { recursive: true, dereference: true });
  }
  // Files keep their modes when copied; a checkout made under umask 077 has none for others.
  spawnSync('chmod', ['-R', 'a+rX', copy]);
  chmodSync(copy, 0o755);
  return { root: copy, copied: `${root} is not readable by ${user}`, cleanup: () => rmSync(copy, { recursive: true, force: true }) };
}
