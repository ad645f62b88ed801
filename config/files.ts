/**
 * What the configuration reader needs of a file system: the status of a path, reading a regular file with a cap
 * on its size, listing a directory, resolving a real path. Tests give it an in-memory tree; the CLI and the daemon
 * give it the real one (config/node-files.ts).
 */
import { resolve } from 'node:path';

export type FileType = 'file' | 'directory' | 'symbolic link' | 'FIFO' | 'socket' | 'character device' | 'block device' | 'unknown';

export interface FileStatus {
  readonly type: FileType;
  readonly size: number;
  /** Permission bits (st_mode & 07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export type FileRead =
  | { readonly ok: true; readonly text: string; readonly bytes: number }
  /** `tooLarge`: the file holds more than the bytes asked for (nothing is returned). */
  | { readonly ok: false; readonly problem: string; readonly tooLarge?: boolean };

export interface ConfigFileSystem {
  /** stat(2) (`follow`) or lstat(2) of a path; undefined when it does not exist or cannot be reached. */
  status(path: string, follow: boolean): FileStatus | undefined;
  /**
   * Contents of a regular file as UTF-8 text, at most `maxBytes` bytes. Anything but a regular file (a FIFO, a
   * device, a directory) is refused without being read; a FIFO must never make this block.
   */
  readFile(path: string, maxBytes: number): FileRead;
  /** Names in a directory (no `.`/`..`), or undefined when it is not a readable directory. */
  readDirectory(path: string): readonly string[] | undefined;
  /** realpath(3), or undefined when the path cannot be resolved. */
  realPath(path: string): string | undefined;
}

/** An in-memory file tree keyed by absolute path (tests and the fuzzer): root's files, mode 0644, no links. */
export function memoryFileSystem(files: Readonly<Record<string, string>>): ConfigFileSystem {
  const normalized = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) normalized.set(resolve(path), text);
  const isDirectory = (path: string): boolean => {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    for (const key of normalized.keys()) if (key.startsWith(prefix)) return true;
    return false;
  };
  const status = (path: string): FileStatus | undefined => {
    const p = resolve(path);
    const text = normalized.get(p);
    if (text !== undefined) return { type: 'file', size: Buffer.byteLength(text), mode: 0o644, uid: 0, gid: 0 };
    return isDirectory(p) ? { type: 'directory', size: 0, mode: 0o755, uid: 0, gid: 0 } : undefined;
  };
  return {
    status,
    readFile: (path, maxBytes) => {
      const text = normalized.get(resolve(path));
      if (text === undefined) return { ok: false, problem: isDirectory(resolve(path)) ? 'is a directory' : 'no such file' };
      const bytes = Buffer.byteLength(text);
      if (bytes > maxBytes) return { ok: false, problem: `larger than ${maxBytes} bytes`, tooLarge: true };
      return { ok: true, text, bytes };
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
    realPath: (path) => (status(path) === undefined ? undefined : resolve(path)),
  };
}
