/**
 * A script's file as keepalived's check_script_secure() (lib/notify.c) judges it, for the user it runs as: the
 * program of its command line (a bare name found through $PATH), whether that user may execute it, and, when it runs
 * as root with enable_script_security, whether some part of its path could be replaced by a user other than root.
 * `vigil config test` (config/host-check-scripts.ts) and the daemon (actors/scripts/runnable-scripts.ts) judge with
 * this one code.
 */
import { basename, dirname, join } from 'node:path';
import type { FileInfo, HostAccount, HostFacts } from './host-facts.js';

/** What keepalived calls the program of a command line: its first word, quotes and backslashes undone. */
export function programOf(command: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else out += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < command.length) out += command[++i];
    else if (c === ' ' || c === '\t') {
      if (out !== '') break;
    } else out += c;
  }
  return out;
}

/** keepalived's is_executable(). */
export function executableBy(file: FileInfo, who: HostAccount): boolean {
  if (who.uid === 0) return (file.mode & 0o111) !== 0;
  if (who.uid === file.uid) return (file.mode & 0o100) !== 0;
  return who.gid === file.gid ? (file.mode & 0o010) !== 0 : (file.mode & 0o001) !== 0;
}

/** The first part of `path` (from `/` down) a non-root user could replace, or undefined when none. */
export function insecurePart(path: string, host: Pick<HostFacts, 'lstat'>): string | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  const prefixes = [path.startsWith('/') ? '/' : '.', ...parts.map((_, i) => `${path.startsWith('/') ? '/' : ''}${parts.slice(0, i + 1).join('/')}`)];
  for (const [i, p] of prefixes.entries()) {
    const last = i === prefixes.length - 1;
    const s = host.lstat(p);
    if (!s) return p;
    if (last ? s.kind !== 'file' && s.kind !== 'symlink' : s.kind !== 'directory') return p;
    const writable = (s.gid !== 0 && (s.mode & 0o020) !== 0) || (s.mode & 0o002) !== 0;
    if (s.uid !== 0 || (((s.kind === 'directory' && (s.mode & 0o1000) === 0) || s.kind === 'file') && writable)) return p;
  }
  return undefined;
}

export type ScriptStatus =
  | { readonly kind: 'system' | 'ok' }
  | { readonly kind: 'missing' | 'not executable'; readonly path: string }
  | { readonly kind: 'insecure'; readonly path: string; readonly part: string };

/** What keepalived's check_script_secure() finds for a command run as `who`. */
export function scriptStatus(command: string, who: HostAccount, scriptSecurity: boolean, host: HostFacts): ScriptStatus {
  let program = programOf(command);
  // `<FILE`: keepalived only checks that the file can be opened, when it runs.
  if (/^<\s*\//.test(program) || /^<\s*$/.test(program)) return { kind: 'system' };
  if (!program.includes('/')) {
    const found = host.searchPath
      .map((dir) => join(dir === '' ? '.' : dir, program))
      .find((candidate) => {
        const s = host.stat(candidate);
        return s !== undefined && s.kind === 'file' && executableBy(s, who);
      });
    if (found === undefined) return { kind: 'missing', path: program };
    program = found;
  }
  const resolved = host.realpath(program);
  if (resolved === undefined) return { kind: 'missing', path: program };
  // keepalived runs the resolved path, but keeps the file name it was given when that names the same file.
  let checked = [resolved];
  if (basename(resolved) !== basename(program)) {
    const named = join(dirname(resolved), basename(program));
    if (host.stat(named)?.id === host.stat(resolved)?.id) checked = [named, resolved];
  }
  const file = host.stat(resolved);
  if (!file) return { kind: 'missing', path: program };
  if (!executableBy(file, who)) return { kind: 'not executable', path: program };
  const asRoot =
    who.uid === 0 || who.gid === 0 || (file.uid === 0 && (file.mode & 0o4100) === 0o4100) || (file.gid === 0 && (file.mode & 0o2010) === 0o2010);
  if (!asRoot || !scriptSecurity) return { kind: 'ok' };
  for (const p of checked) {
    const part = insecurePart(p, host);
    if (part !== undefined) return { kind: 'insecure', path: program, part };
  }
  return { kind: 'ok' };
}
