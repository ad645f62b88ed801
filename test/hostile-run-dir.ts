/**
 * The hostile objects planted at a daemon's dump names before it starts (issue 13, dump files): in DIR/run (0700),
 * vigil.data a symlink to DIR/victim, vigil.stats a directory, vigil.json a FIFO. Only exports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function plantHostileRunDir(dir: string): void {
  const run = join(dir, 'run');
  mkdirSync(run, { mode: 0o700 });
  writeFileSync(join(dir, 'victim'), 'precious\n');
  symlinkSync(join(dir, 'victim'), join(run, 'vigil.data'));
  mkdirSync(join(run, 'vigil.stats'));
  assert.equal(spawnSync('mkfifo', [join(run, 'vigil.json')]).status, 0);
}
