/**
 * Files a path names that someone else may have replaced (track_file, reload_time_file): a FIFO there never
 * blocks the reader (readFileSync would wait for a writer for ever, holding the VRRP thread), a device is not read,
 * and a huge file is read only up to the bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRegularFile, readRegularFileSync, SMALL_FILE_BYTES } from '../../transport/real/regular-file.js';
import { realTrackFileHost } from '../../transport/real/track-file-host.js';

function withDir(body: (dir: string) => Promise<void> | void) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-regular-file-'));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('a FIFO without a writer is not read and does not block, sync or on the pool; nor is a device or a directory', { timeout: 30_000 }, withDir(async (dir) => {
  const fifo = join(dir, 'track');
  execFileSync('mkfifo', [fifo]);
  assert.equal(readRegularFileSync(fifo), undefined);
  assert.equal(realTrackFileHost.read(fifo), undefined);
  // More reads at once than libuv's pool has threads: each would hold one for ever if it blocked.
  assert.deepEqual(await Promise.all(Array.from({ length: 8 }, () => readRegularFile(fifo))), Array(8).fill(undefined));
  assert.equal(readRegularFileSync('/dev/zero'), undefined);
  assert.equal(await readRegularFile('/dev/zero'), undefined);
  assert.equal(readRegularFileSync(dir), undefined);
  assert.equal(await readRegularFile(join(dir, 'missing')), undefined);
}));

test('a regular file is read whole up to the bound, and no further', withDir(async (dir) => {
  const small = join(dir, 'small');
  writeFileSync(small, '-20\n');
  assert.equal(readRegularFileSync(small), '-20\n');
  assert.equal(await readRegularFile(small), '-20\n');
  assert.equal(realTrackFileHost.read(small), '-20\n');
  const huge = join(dir, 'huge');
  writeFileSync(huge, '7');
  truncateSync(huge, 1 << 30); // a sparse GiB
  assert.equal(readRegularFileSync(huge)?.length, SMALL_FILE_BYTES);
  assert.equal((await readRegularFile(huge, 10))?.length, 10);
  assert.equal((await readRegularFile(huge, 10))?.[0], '7');
}));
