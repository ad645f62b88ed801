/**
 * `--secure-config`: refuse a configuration file that a user other than root could change. keepalived 2.2.7 does
 * no such check on its configuration (it only skips what is not a regular, non-executable file), so this is off
 * unless asked for. The rule is the one keepalived applies to scripts under `enable_script_security`
 * (lib/notify.c, here config/host-check-scripts.ts): the file and every directory above it are owned by root, and
 * neither the file nor a directory without the sticky bit is writable by a group other than root's or by everyone.
 * Both the path as written (each link on it) and its real path are checked: a link in a writable directory can be
 * pointed anywhere.
 */
import type { ConfigFileSystem, FileStatus } from './files.js';
import { insecurePart } from './script-files.js';
import type { FileInfo } from './host-facts.js';

function info(s: FileStatus | undefined): FileInfo | undefined {
  if (s === undefined) return undefined;
  const kind = s.type === 'file' ? 'file' : s.type === 'directory' ? 'directory' : s.type === 'symbolic link' ? 'symlink' : 'other';
  return { kind, uid: s.uid, gid: s.gid, mode: s.mode, id: '' };
}

/** The first part of `path` (absolute) or of its real path that a user other than root could change, if any. */
export function configFileInsecurity(fs: ConfigFileSystem, path: string): string | undefined {
  const host = { lstat: (p: string) => info(fs.status(p, false)) };
  const real = fs.realPath(path);
  for (const p of real !== undefined && real !== path ? [path, real] : [path]) {
    const part = insecurePart(p, host);
    if (part !== undefined) return part;
  }
  return undefined;
}
