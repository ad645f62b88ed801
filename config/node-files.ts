/**
 * The real file system under the configuration reader. A root daemon reads keepalived.conf and its includes at
 * start and on every SIGHUP, so a hostile or broken path must not hang or flood it: only regular files are read
 * (a FIFO would block the open and the read, a device like /dev/zero never ends); the path is stat()ed first and
 * nothing else is opened, then opened with O_NONBLOCK (a FIFO swapped in after the stat cannot block) and the
 * opened descriptor is checked again; at most the bytes asked for are read. Links are followed, as keepalived's
 * stat() does.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import type { ConfigFileSystem, FileRead, FileStatus, FileType } from './files.js';

function typeOf(s: Stats): FileType {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  if (s.isSymbolicLink()) return 'symbolic link';
  if (s.isFIFO()) return 'FIFO';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  return 'unknown';
}

function statusOf(s: Stats): FileStatus {
  return { type: typeOf(s), size: s.size, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  ENOTDIR: 'a component of the path is not a directory',
  ENAMETOOLONG: 'file name too long',
  EISDIR: 'is a directory',
};

/** A one-line reason for a failed system call, without Node's `ECODE: ..., open 'path'` decoration. */
export function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && REASONS[code] !== undefined) return REASONS[code];
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^[A-Z]+: /, '').split(',')[0] ?? message;
}

/** What is refused instead of read: "is a FIFO, not a regular file". */
export function notRegular(type: FileType): string {
  return `is a ${type}, not a regular file`;
}

function tooLarge(maxBytes: number): FileRead {
  return { ok: false, problem: `holds more than ${maxBytes} bytes`, tooLarge: true };
}

function readOpened(fd: number, maxBytes: number): FileRead {
  // Judge what was opened, not what the path named a moment ago: it may have been replaced in between.
  const opened = fstatSync(fd);
  if (!opened.isFile()) return { ok: false, problem: notRegular(typeOf(opened)) };
  if (opened.size > maxBytes) return tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  // One byte more than allowed tells a file that grew past the cap from one that ends exactly at it.
  const limit = maxBytes + 1;
  while (total < limit) {
    const want = Math.min(limit - total, Math.max(64 * 1024, opened.size + 1 - total));
    const chunk = Buffer.allocUnsafe(want);
    const n = readSync(fd, chunk, 0, want, null);
    if (n === 0) break;
    chunks.push(n === want ? chunk : chunk.subarray(0, n));
    total += n;
  }
  if (total > maxBytes) return tooLarge(maxBytes);
  return { ok: true, text: Buffer.concat(chunks, total).toString('utf8'), bytes: total };
}

export const nodeFileSystem: ConfigFileSystem = {
  status: (path, follow) => {
    try {
      return statusOf(follow ? statSync(path) : lstatSync(path));
    } catch {
      return undefined;
    }
  },
  readFile: (path, maxBytes) => {
    let before: Stats;
    try {
      before = statSync(path);
    } catch (err) {
      return { ok: false, problem: reasonOf(err) };
    }
    if (!before.isFile()) return { ok: false, problem: notRegular(typeOf(before)) };
    if (before.size > maxBytes) return tooLarge(maxBytes);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (err) {
      return { ok: false, problem: reasonOf(err) };
    }
    try {
      return readOpened(fd, maxBytes);
    } catch (err) {
      return { ok: false, problem: reasonOf(err) };
    } finally {
      closeSync(fd);
    }
  },
  readDirectory: (path) => {
    try {
      return readdirSync(path);
    } catch {
      return undefined;
    }
  },
  realPath: (path) => {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
};
