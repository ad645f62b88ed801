/**
 * The real host's track_file files (transport/track-files.ts). A write is keepalived's fopen_safe: the text goes
 * to a new file beside the target, mode rw-r--r-- (0666 less keepalived's default umask 0133), then renamed over
 * it, so no reader ever sees a half-written file and a user who had the old one open does not see the new text.
 */
import { closeSync, fchmodSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { TrackFileHost, TrackFileKind } from '../track-files.js';
import { readRegularFile, readRegularFileSync } from './regular-file.js';

const MODE = 0o644;

export const realTrackFileHost: TrackFileHost = {
  kind(path: string): TrackFileKind {
    try {
      return statSync(path).isFile() ? 'file' : 'other';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'other';
    }
  },
  // Only a regular file, without blocking (transport/real/regular-file.ts says why).
  read: (path: string): string | undefined => readRegularFileSync(path),
  write(path: string, text: string): void {
    const temporary = `${path}${randomBytes(6).toString('base64url')}`;
    const fd = openSync(temporary, 'wx', MODE);
    try {
      fchmodSync(fd, MODE);
      writeSync(fd, text);
    } catch (err) {
      closeSync(fd);
      unlinkSync(temporary);
      throw err;
    }
    closeSync(fd);
    try {
      renameSync(temporary, path);
    } catch (err) {
      unlinkSync(temporary);
      throw err;
    }
  },
};

/**
 * track_file's polls after start (NodeEnvironment.readFile): the file's text read off the VRRP thread, undefined
 * when it cannot be read (missing, not a regular file, no permission); never a pool thread blocked on a FIFO.
 */
export function readTrackFile(path: string): Promise<string | undefined> {
  return readRegularFile(path);
}
