/**
 * Files a root daemon writes where something may have been put first (the SIGUSR1/SIGUSR2 dumps): a directory
 * only root can write, and each file created exclusively (O_CREAT | O_EXCL | O_NOFOLLOW) under a temporary name
 * at 0600, then renamed over its final name. A symlink, a FIFO or a directory planted at the final name is never
 * followed, opened or blocked on: rename replaces a symlink or a FIFO, and fails on a directory. keepalived wrote
 * its dumps with a plain open in /tmp and fixed it as CVE-2018-19044/19045/19046.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Why a directory is not private to this user: `undefined` when it is. */
function notPrivate(path: string): string | undefined {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (!st.isDirectory()) return 'is not a directory';
  const uid = process.geteuid?.() ?? st.uid;
  if (st.uid !== uid) return `is owned by uid ${st.uid}`;
  if ((st.mode & 0o022) !== 0) return `is writable by others (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  return undefined;
}

/**
 * Creates `path` (mode 0700, parents as needed) when it is missing, and checks that only this user can write
 * it: a directory, not a symlink, owned by the effective uid, not writable by group or others. Throws an Error
 * naming the path and the problem otherwise.
 */
export function ensurePrivateDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const problem = notPrivate(path);
  if (problem) throw new Error(`${path} ${problem}: refused`);
}

let sequence = 0;

/** Writes all of `data` to `fd` (a short write, on a full disk for instance, is retried until it throws). */
export function writeAll(fd: number, data: Uint8Array): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Replaces `dir/name` with `data` (mode 0600): written to a new file with a temporary name in the same
 * directory, then renamed over the final name. Throws (an ErrnoException from the step that failed) and leaves
 * no temporary file behind when it cannot.
 */
export function replaceFile(dir: string, name: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const temp = createTemp(dir, name);
  try {
    writeAll(temp.fd, bytes);
  } catch (err) {
    abandonTemp(temp);
    throw err;
  }
  renameTemp(temp, join(dir, name));
}

interface TempFile {
  readonly fd: number;
  readonly path: string;
}

/** A new temporary file beside `name` in `dir`: exclusive, never through a symlink, 0600. */
function createTemp(dir: string, name: string): TempFile {
  const path = join(dir, `.${name}.${process.pid}.${sequence++}.tmp`);
  return { fd: openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600), path };
}

function abandonTemp(temp: TempFile): void {
  closeSync(temp.fd);
  unlinkSync(temp.path);
}

/** Closes the written temporary file and puts it in place of `target` (atomically); removes it if it cannot. */
function renameTemp(temp: TempFile, target: string): void {
  closeSync(temp.fd);
  try {
    renameSync(temp.path, target);
  } catch (err) {
    unlinkSync(temp.path);
    throw err;
  }
}

/** How long one turn of `replaceFileInSlices` may hold the event loop (the VRRP thread's), ms. */
export const FILE_SLICE_MS = 5;

/**
 * `replaceFile` for a large file made on the VRRP thread: its text comes as pieces, made and written for at most
 * `sliceMs` per turn of the event loop, so that a dump of a large status never holds back an advertisement. The
 * file is created and renamed as `replaceFile` does; rejects (and leaves no temporary file) when it cannot.
 */
export async function replaceFileInSlices(dir: string, name: string, pieces: Iterable<string>, sliceMs = FILE_SLICE_MS): Promise<void> {
  const temp = createTemp(dir, name);
  try {
    let turn = performance.now();
    let pending: string[] = [];
    for (const piece of pieces) {
      pending.push(piece);
      if (performance.now() - turn >= sliceMs) {
        writeAll(temp.fd, Buffer.from(pending.join('')));
        pending = [];
        await nextTurn();
        turn = performance.now();
      }
    }
    writeAll(temp.fd, Buffer.from(pending.join('')));
  } catch (err) {
    abandonTemp(temp);
    throw err;
  }
  renameTemp(temp, join(dir, name));
}
