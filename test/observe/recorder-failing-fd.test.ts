/**
 * The flight recorder on a descriptor that fails with EIO (issue 13: a disk that errors while vigil records must not
 * stop VRRP): writes and closes of the recording's descriptors throw EIO, as a failing disk or a lost network file
 * system does. Nothing is thrown to the caller (the inspection stream of the VRRP thread); the recording is
 * suspended, said once and counted; when the disk answers again it resumes in a new file whose header tells the
 * gap. The failure is injected at the node:fs functions the recorder calls (module.syncBuiltinESMExports), for its
 * own descriptors only. (The full file system, ENOSPC, on a real tmpfs: recorder-full-disk.test.ts, and under a
 * running daemon: test/daemon/hostile-files.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlightRecorder } from '../../observe/flight-recorder.js';
import { readRecording } from '../../observe/recording-reader.js';
import type { ObservedEvent } from '../../observe/observed-event.js';

function eio(call: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EIO: i/o error, ${call}`), { code: 'EIO', errno: -5, syscall: call });
}

/** While `failing`, writes and closes of descriptors opened under `dir` throw EIO (a close still closes). */
function failingDisk(dir: string): { failing: boolean; restore: () => void } {
  const { openSync, writeSync, closeSync } = fs;
  const ours = new Set<number>();
  const disk = { failing: false, restore: () => {} };
  fs.openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    const fd = (openSync as (...a: unknown[]) => number)(path, ...rest);
    if (String(path).startsWith(dir)) ours.add(fd);
    return fd;
  }) as typeof fs.openSync;
  fs.writeSync = ((fd: number, ...rest: unknown[]) => {
    if (disk.failing && ours.has(fd)) throw eio('write');
    return (writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  fs.closeSync = ((fd: number) => {
    const failed = disk.failing && ours.has(fd);
    ours.delete(fd);
    closeSync(fd);
    if (failed) throw eio('close');
  }) as typeof fs.closeSync;
  syncBuiltinESMExports();
  disk.restore = () => {
    Object.assign(fs, { openSync, writeSync, closeSync });
    syncBuiltinESMExports();
  };
  return disk;
}

test('EIO while recording: never thrown, suspended and counted once, resumed in a new file that tells the gap', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-harden-eio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const disk = failingDisk(dir);
  t.after(() => disk.restore());
  const path = join(dir, 'flight.vrec');
  const warnings: string[] = [];
  const rec = new FlightRecorder({ path, source: 'daemon', bufferBytes: 0, keep: 3, onError: (m) => warnings.push(m) });
  let at = 0;
  const step = (i: number): ObservedEvent => ({ kind: 'step', at: ++at, actor: 'n/VI_1', event: `E${i}`, state: [i % 2 === 0 ? 'BACKUP' : 'MASTER'], changed: true });
  rec.write({ kind: 'actor', at: 0, actor: 'n/VI_1', node: 'n', id: 'VI_1', machine: 'vrrp' });
  for (let i = 0; i < 10; i++) rec.write(step(i));

  disk.failing = true;
  // Every record while the disk fails: none throws (the first write fails, the rest are counted as lost).
  for (let i = 10; i < 30; i++) assert.doesNotThrow(() => rec.write(step(i)));
  assert.ok(rec.isSuspended);
  assert.equal(rec.writeFailures, 1);
  assert.equal(rec.lostFrames, 20);
  // Still failing: a flush tries a new file, fails (its close too), throws nothing and leaves no temporary file.
  assert.doesNotThrow(() => rec.flush());
  assert.ok(rec.isSuspended);
  assert.deepEqual(readdirSync(dir), ['flight.vrec']);
  assert.deepEqual(warnings, [`recording ${path} suspended (EIO); records are counted as lost until a new file can be written`]);

  disk.failing = false;
  rec.flush();
  assert.ok(!rec.isSuspended);
  for (let i = 30; i < 35; i++) rec.write(step(i));
  rec.close();
  assert.equal(warnings[1], `recording ${path} resumed in a new file after losing 20 records (EIO)`);

  const replay = readRecording(path);
  assert.equal(replay.truncated, false);
  assert.deepEqual(replay.events.filter((e) => e.kind === 'fault').map((e) => (e as { text: string }).text), ['recording gap: 20 records lost (EIO)']);
  const kept = replay.events.filter((e) => e.kind === 'step').map((e) => (e as { event: string }).event);
  assert.deepEqual(kept.slice(0, 10), ['E0', 'E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9']);
  assert.deepEqual(kept.slice(-5), ['E30', 'E31', 'E32', 'E33', 'E34']);
  assert.ok(!kept.includes('E15'), 'what was lost is not made up');
});
