/**
 * The notify FIFO on this host (transport/real/notify-fifo.ts), as keepalived's fifo_open sets it up: created when
 * missing (0644, given to its owner), used as it is when there, never blocking without a reader, removed at close
 * only when vigil made it, and nothing but a FIFO ever written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNotifyFifo } from '../../transport/real/notify-fifo.js';

function world(t: { after(fn: () => void): void }): { dir: string; warnings: string[]; log: { warn(m: string): void } } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scripts-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  return { dir, warnings, log: { warn: (m) => warnings.push(m) } };
}

test('a missing FIFO is created 0644 for its owner, its lines reach a reader, and it goes at close', async (t) => {
  const { dir, log } = world(t);
  const path = join(dir, 'notify');
  const owner = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
  const fifo = openNotifyFifo(path, owner, log);
  assert.ok(fifo);
  const s = lstatSync(path);
  assert.ok(s.isFIFO());
  assert.equal(s.mode & 0o777, 0o644);
  if (owner) assert.deepEqual([s.uid, s.gid], [owner.uid, owner.gid]);
  // A reader of our own (cat), as a notify_fifo_script would be.
  const reader = spawn('/bin/cat', [path], { stdio: ['ignore', 'pipe', 'ignore'] });
  let read = '';
  reader.stdout.on('data', (c: Buffer) => (read += c.toString()));
  fifo.write('INSTANCE "VI_1" BACKUP 100\n');
  fifo.write('INSTANCE "VI_1" MASTER 100\n');
  // Until both lines are read, with a generous bound (cat starts slowly on a loaded machine), not a fixed 2 s.
  for (const start = performance.now(); read.split('\n').length < 3 && performance.now() - start < 20_000; ) await new Promise((r) => setTimeout(r, 20));
  assert.equal(read, 'INSTANCE "VI_1" BACKUP 100\nINSTANCE "VI_1" MASTER 100\n');
  fifo.close();
  assert.equal(existsSync(path), false, 'the FIFO vigil made is removed');
  await new Promise((r) => reader.once('exit', r));
});

test('no reader: lines are taken until the buffer is full, then dropped (said once), never blocking', (t) => {
  const { dir, warnings, log } = world(t);
  const fifo = openNotifyFifo(join(dir, 'notify'), undefined, log)!;
  const line = `${'x'.repeat(999)}\n`;
  // 1 MB into a 64 KiB pipe: synchronously, so a block would hang the test.
  for (let i = 0; i < 1000; i++) fifo.write(line);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /EAGAIN; lines are dropped until it is read/);
  fifo.close();
});

test('a FIFO that was there is used and left in place; a file or a symbolic link at the path is refused', (t) => {
  const { dir, warnings, log } = world(t);
  const existing = join(dir, 'existing');
  execFileSync('mkfifo', [existing]);
  const fifo = openNotifyFifo(existing, undefined, log);
  assert.ok(fifo);
  fifo.close();
  assert.ok(lstatSync(existing).isFIFO(), 'not ours: left in place');

  const file = join(dir, 'file');
  writeFileSync(file, 'keep me\n');
  assert.equal(openNotifyFifo(file, undefined, log), undefined);
  const link = join(dir, 'link');
  symlinkSync(file, link);
  assert.equal(openNotifyFifo(link, undefined, log), undefined);
  assert.equal(readFileSync(file, 'utf8'), 'keep me\n');
  assert.equal(warnings.length, 2);
  assert.ok(warnings.every((w) => /something other than a FIFO is there/.test(w)));
});
