/** Filling a file system to ENOSPC, for the tests of what a full disk does to vigil's files. Only exports. */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes 4 KiB blocks to the new file `path` until a write fails (the file system is full); the file stays. */
export function fillFileSystem(path: string): void {
  const filler = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  for (;;) {
    try {
      writeSync(filler, block);
    } catch {
      break;
    }
  }
  closeSync(filler);
}
