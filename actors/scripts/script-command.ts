/**
 * What runs for a script of the runnable configuration (./runnable-scripts.ts): its argv, and the user it runs as.
 */
import { splitCommandLine } from '../../config/command-line.js';
import type { RunAs } from '../environment.js';

/** `user` / `group` of a script as the runnable configuration writes them: ids, or nothing (this process's user). */
export interface ScriptOwner {
  readonly user?: string | undefined;
  readonly group?: string | undefined;
}

const ID = /^\d+$/;

/**
 * The ids a script runs as. Undefined: as this process (a simulated host, where nothing is resolved). A name that
 * was never resolved to ids is 'unresolved', and the script must not run: never as root by mistake.
 */
export function runAsOf(s: ScriptOwner): RunAs | undefined | 'unresolved' {
  if (s.user === undefined) return undefined;
  if (!ID.test(s.user) || (s.group !== undefined && !ID.test(s.group))) return 'unresolved';
  const uid = Number(s.user);
  return { uid, gid: s.group === undefined ? uid : Number(s.group) };
}

/** keepalived's cmd_str: each word in single quotes, but for a leading `<` or `>` redirection. */
function shellLine(argv: readonly string[]): string {
  return argv.map((w, i) => (i === 0 && (w.startsWith('<') || w.startsWith('>')) ? w : `'${w.replaceAll("'", "'\\''")}'`)).join(' ');
}

/**
 * The argv of a configured command line with `extra` arguments after its own (the notify script's four). A line
 * that starts with `<` only tests that a file can be opened (`script "</dev/shm/flag"`): keepalived hands that one
 * to the shell, and so does vigil; everything else runs without a shell.
 */
export function scriptArgv(command: string, extra: readonly string[] = []): string[] {
  const argv = [...splitCommandLine(command), ...extra];
  if (argv[0]?.startsWith('<')) return ['/bin/sh', '-c', shellLine(argv)];
  return argv;
}
