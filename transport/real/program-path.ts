/**
 * A script's program as keepalived records it when it reads the configuration: searched on PATH when it has no
 * slash, then resolved through symbolic links (realpath(3)); what cannot be resolved stays as written. Cached: the
 * answer is asked for on every SNMP read.
 */
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const cache = new Map<string, string>();

export function resolveProgram(program: string): string {
  const known = cache.get(program);
  if (known !== undefined) return known;
  let path = program;
  if (!program.includes('/')) {
    const dirs = (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter);
    const found = dirs.map((d) => join(d, program)).find((candidate) => {
      try {
        accessSync(candidate, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    if (found !== undefined) path = found;
  }
  let resolved = path;
  try {
    resolved = realpathSync(path);
  } catch {
    // left as written, as keepalived shows a script it could not find
  }
  if (cache.size > 1024) cache.clear();
  cache.set(program, resolved);
  return resolved;
}
