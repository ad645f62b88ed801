/**
 * What the configuration reader needs of a file system: reading a file, listing a directory, telling files from
 * directories. Tests give it an in-memory tree; the CLI gives it the real one.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

export type FileKind = 'file' | 'directory' | 'missing';

export interface ConfigFileSystem {
  /** Contents as UTF-8 text; throws when it cannot be read. */
  readFile(path: string): string;
  /** Names in a directory (no `.`/`..`), or undefined when it is not a readable directory. */
  readDirectory(path: string): readonly string[] | undefined;
  kind(path: string): FileKind;
}

export const nodeFileSystem: ConfigFileSystem = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readDirectory: (path) => {
    try {
      return readdirSync(path);
    } catch {
      return undefined;
    }
  },
  kind: (path) => {
    try {
      return statSync(path).isDirectory() ? 'directory' : 'file';
    } catch {
      return 'missing';
    }
  },
};

/** An in-memory file tree keyed by absolute path (tests and the fuzzer). */
export function memoryFileSystem(files: Readonly<Record<string, string>>): ConfigFileSystem {
  const normalized = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) normalized.set(resolve(path), text);
  const isDirectory = (path: string): boolean => {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    for (const key of normalized.keys()) if (key.startsWith(prefix)) return true;
    return false;
  };
  return {
    readFile: (path) => {
      const text = normalized.get(resolve(path));
      if (text === undefined) throw new Error(`ENOENT: no such file '${path}'`);
      return text;
    },
    readDirectory: (path) => {
      const dir = resolve(path);
      if (!isDirectory(dir)) return undefined;
      const prefix = dir === '/' ? '/' : `${dir}/`;
      const names = new Set<string>();
      for (const key of normalized.keys()) {
        if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split('/')[0]!);
      }
      return [...names];
    },
    kind: (path) => {
      const p = resolve(path);
      if (normalized.has(p)) return 'file';
      return isDirectory(p) ? 'directory' : 'missing';
    },
  };
}
