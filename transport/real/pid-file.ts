/**
 * The daemon's pid file (`-p`, as keepalived's): created exclusively (O_CREAT | O_EXCL | O_NOFOLLOW), so two
 * daemons starting together cannot both win. A file already there blocks the start only when it names a live
 * vigil: a process that is gone, a zombie, or another program that got the pid since (after a crash or a
 * reboot) makes it stale, and it is replaced. Anything but a regular file at the path is refused, not removed.
 */
import { closeSync, constants, fchmodSync, lstatSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { writeAll } from './private-files.js';

export class PidFileError extends Error {}

/** Process state from /proc/PID/stat (the field after the command name): R, S, D, Z, X, … */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ', 1)[0];
  } catch {
    return undefined;
  }
}

/** Alive: it exists and is not a zombie (a zombie has exited; only its parent has not reaped it yet). */
export function processAlive(pid: number): boolean {
  const state = procState(pid);
  if (state === undefined) return false;
  return state !== 'Z' && state !== 'X';
}

/**
 * Whether a live process is vigil: its name (`vigil run` sets its process title, so comm starts with "vigil"
 * unless global_defs process_name / vrrp_process_name renamed it), its title (the command line's first word) or,
 * for one started without it, its command line running vigil's entry point.
 */
export function isVigil(pid: number): boolean {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (comm === 'vigil' || comm.startsWith('vigil ')) return true;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv[0]?.split(' ')[0] === 'vigil') return true;
    return argv.some((a) => a.endsWith('/bin/vigil') || a.endsWith('/cli/main.js'));
  } catch {
    return false;
  }
}

/** The pid a pid file names, if it holds one. */
function readPid(path: string): number | undefined {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const text = readFileSync(fd, 'utf8').trim();
    const pid = Number(text);
    return /^\d+$/.test(text) && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `pid` to a new pid file at `path`. Throws a PidFileError with a one-line reason when a live vigil
 * holds it, when something other than a regular file is there, or when it cannot be written.
 */
export function claimPidFile(path: string, pid = process.pid): void {
  // Twice at most: a stale file is removed and the exclusive create tried again; losing that race to another
  // daemon starting at the same moment is then reported like any live holder.
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new PidFileError(`cannot create pid file ${path}: ${code ?? String(err)}`);
      const st = lstatSync(path);
      if (!st.isFile()) throw new PidFileError(`pid file ${path} is not a regular file (${st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : 'a special file'}): not removed, remove it yourself`);
      const old = readPid(path);
      if (old !== undefined && old !== pid && processAlive(old) && isVigil(old)) throw new PidFileError(`already running as pid ${old} (pid file ${path})`);
      if (attempt > 0) throw new PidFileError(`pid file ${path} keeps coming back: another daemon starting?`);
      unlinkSync(path);
      continue;
    }
    try {
      // rw-r--r-- whatever the umask (keepalived's pidfile_write does the same; its default umask is 0177).
      fchmodSync(fd, 0o644);
      writeAll(fd, Buffer.from(`${pid}\n`));
    } catch (err) {
      closeSync(fd);
      unlinkSync(path);
      throw new PidFileError(`cannot write pid file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    closeSync(fd);
    return;
  }
}

/** Removes the pid file if it still names `pid` (never another daemon's). */
export function releasePidFile(path: string, pid = process.pid): void {
  try {
    if (lstatSync(path).isFile() && readPid(path) === pid) unlinkSync(path);
  } catch {
    // gone already, or not ours
  }
}
