/**
 * A track_file whose weight moves (0 or 3) every half second, for the full-disk tests: a daemon tracking it changes
 * its priority all the time, so there are records to write while the disk is full (in a steady state the stream
 * sums advertisements up in one record a minute, which the file's last page may hold). Only exports.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface MovingTrackFile {
  /** The tracked file's path (world-readable directory, for a daemon that drops privileges). */
  readonly path: string;
  /** Stops moving it and removes it. */
  stop(): Promise<void>;
}

export function movingTrackFile(prefix: string): MovingTrackFile {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  const path = join(dir, 'weight');
  writeFileSync(path, '0\n');
  let moving = true;
  const mover = (async () => {
    for (let i = 0; moving; i++) {
      writeFileSync(path, `${(i % 2) * 3}\n`);
      await delay(500);
    }
  })();
  return {
    path,
    async stop() {
      moving = false;
      await mover;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
