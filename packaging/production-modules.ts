/**
 * The production dependencies of the checkout, found as Node finds them (each package's dependencies and optional
 * dependencies, resolved up the node_modules chain), so the packages carry exactly what `vigil` can load: no
 * devDependencies (typescript, mermaid, playwright), nothing that another tool left in node_modules.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly license?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly allowScripts?: Readonly<Record<string, boolean>>;
}

export interface ModulePackage {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  /** Where it lies under the checkout's node_modules: `rxjs`, `netlink/node_modules/@types/node`. */
  readonly path: string;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** The directory `name` resolves to from the package at `from`, or undefined (an optional dependency absent). */
function resolvePackage(name: string, from: string, root: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** Every package `vigil` may load, in a stable order. Throws naming a required dependency that is not installed. */
export function productionModules(root: string): ModulePackage[] {
  const found = new Map<string, ModulePackage>();
  const top = manifest(root);
  // An optional dependency whose install script the project declines (`allowScripts: { usocket: false }`) is never
  // built, so nothing can load it: it is left out, with what it alone depends on (usocket brings node-gyp).
  const declined = new Set(Object.entries(top.allowScripts ?? {}).filter(([, allowed]) => !allowed).map(([name]) => name));
  const visit = (from: string, deps: Readonly<Record<string, string>> | undefined, optional: boolean): void => {
    for (const name of Object.keys(deps ?? {})) {
      if (optional && declined.has(name)) continue;
      const dir = resolvePackage(name, from, root);
      if (dir === undefined) {
        if (optional) continue;
        throw new Error(`${relative(root, from) || 'package.json'}: dependency ${name} is not installed (run npm ci)`);
      }
      const path = relative(join(root, 'node_modules'), dir).split(sep).join('/');
      if (found.has(path)) continue;
      const m = manifest(dir);
      found.set(path, { name, version: m.version ?? '0.0.0', license: m.license ?? 'UNKNOWN', path });
      visit(dir, m.dependencies, false);
      visit(dir, m.optionalDependencies, true);
    }
  };
  visit(root, top.dependencies, false);
  visit(root, top.optionalDependencies, true);
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** The real directory of the checkout's node_modules (in a worktree it may be a symbolic link). */
export function nodeModulesDir(root: string): string {
  return realpathSync(join(root, 'node_modules'));
}
