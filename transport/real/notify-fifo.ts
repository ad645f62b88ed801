/**
 * A notify FIFO on this host, as keepalived's fifo_open (lib/notify.c) sets it up: a FIFO missing at its path is
 * created (mode 0644, owned by the FIFO's user), one that is there is used as it is; it is opened read-write and
 * non-blocking, so a FIFO without a reader takes lines until its buffer is full instead of blocking the daemon or
 * failing, and a line that does not fit is dropped. A FIFO vigil created is removed when it is closed. Nothing but
 * a FIFO is ever written: a symbolic link, a regular file or a device at the path is refused (O_NOFOLLOW, then the
 * type of what was opened), where keepalived would write into it as root.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, closeSync, constants as fs, fstatSync, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { NotifyFifo } from '../notify-fifo.js';

export interface FifoLog {
  warn(message: string): void;
}

/** What is at `path` now (lstat: a symbolic link is itself), or undefined when nothing is. */
function kindAt(path: string): 'fifo' | 'other' | undefined {
  try {
    return lstatSync(path).isFIFO() ? 'fifo' : 'other';
  } catch {
    return undefined;
  }
}

export function openNotifyFifo(path: string, owner: { readonly uid: number; readonly gid: number } | undefined, log: FifoLog): NotifyFifo | undefined {
  let created = false;
  const found = kindAt(path);
  if (found === 'other') {
    log.warn(`notify fifo ${path}: something other than a FIFO is there; not used`);
    return undefined;
  }
  if (found === undefined) {
    try {
      // Node has no mkfifo(2); coreutils' mkfifo sets the mode itself, whatever the umask.
      execFileSync('mkfifo', ['-m', '0644', path], { stdio: ['ignore', 'ignore', 'pipe'] });
      created = true;
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
      log.warn(`notify fifo ${path}: cannot create it${stderr ? `: ${stderr}` : ''}`);
      return undefined;
    }
    if (owner !== undefined && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
      try {
        chownSync(path, owner.uid, owner.gid);
      } catch (err) {
        log.warn(`notify fifo ${path}: cannot give it to ${owner.uid}:${owner.gid}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    }
  }
  let fd: number;
  try {
    fd = openSync(path, fs.O_RDWR | fs.O_NONBLOCK | fs.O_NOFOLLOW);
  } catch (err) {
    log.warn(`notify fifo ${path}: cannot open it: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    if (created) unlinkSync(path);
    return undefined;
  }
  const opened = fstatSync(fd);
  if (!opened.isFIFO()) {
    // Replaced between the look and the open.
    closeSync(fd);
    log.warn(`notify fifo ${path}: something other than a FIFO is there; not used`);
    return undefined;
  }
  let full = false;
  let open = true;
  return {
    write(line) {
      if (!open) return;
      try {
        writeSync(fd, line);
        full = false;
      } catch (err) {
        // EAGAIN: nobody reads and the buffer is full. Said once per spell.
        if (!full) log.warn(`notify fifo ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; lines are dropped until it is read`);
        full = true;
      }
    },
    close() {
      if (!open) return;
      open = false;
      // Removed first, so a reader that reopens it in a loop cannot reopen this one (keepalived's order).
      if (created) {
        try {
          // Only the FIFO vigil made: not whatever has taken its name since.
          const now = lstatSync(path);
          if (now.ino === opened.ino && now.dev === opened.dev) unlinkSync(path);
        } catch {
          // already gone
        }
      }
      closeSync(fd);
    },
  };
}
