/**
 * Reads the start of a small file a path names that others may have replaced (track_file, reload_time_file, SSL_GET's
 * certificate files): only
 * a regular file is read, and the open never blocks. A FIFO put at the path (by anyone who can write its
 * directory, /tmp for instance) would otherwise hold the VRRP thread in open(2) or read(2) for ever with
 * readFileSync, or a thread of libuv's pool with readFile (four such reads stop every asynchronous file operation
 * of the process); /dev/zero or a huge file would be read whole. Issue 13 (hostile objects at the daemon's paths).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** What is read at most: these files hold a number or a line. */
export const SMALL_FILE_BYTES = 64 << 10;

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The file's first `maxBytes`; throws (an ErrnoException, or an Error with code ENOTREG for a FIFO, a device, a
 * socket or a directory) when it cannot.
 */
export function readRegularFileBytesSync(path: string, maxBytes = SMALL_FILE_BYTES): Buffer {
  const fd = openSync(path, FLAGS);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${path}: not a regular file`), { code: 'ENOTREG' });
    const buffer = Buffer.alloc(maxBytes);
    let length = 0;
    for (let n = -1; n !== 0 && length < maxBytes; length += n) n = readSync(fd, buffer, length, maxBytes - length, length);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** The file's first `maxBytes` as text; undefined when it is missing, unreadable or not a regular file. */
export function readRegularFileSync(path: string, maxBytes = SMALL_FILE_BYTES): string | undefined {
  try {
    return readRegularFileBytesSync(path, maxBytes).toString('utf8');
  } catch {
    return undefined;
  }
}

/** `readRegularFileSync` on libuv's pool: never blocks one of its threads on a FIFO. */
export async function readRegularFile(path: string, maxBytes = SMALL_FILE_BYTES): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, FLAGS);
  } catch {
    return undefined;
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const buffer = Buffer.alloc(maxBytes);
    let length = 0;
    for (let n = -1; n !== 0 && length < maxBytes; length += n) n = (await handle.read(buffer, length, maxBytes - length, length)).bytesRead;
    return buffer.toString('utf8', 0, length);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
