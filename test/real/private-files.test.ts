/**
 * Files a root daemon writes (transport/real/private-files.ts): whatever was put at the final name first — a
 * symlink to a file of value, a FIFO without a reader, a directory — is never followed, opened or blocked on; the
 * directory must be one only this user can write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDirectory, replaceFile } from '../../transport/real/private-files.js';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-harden-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a symlink at the name is replaced, its target untouched; the file is 0600', (t) => {
  const dir = scratch(t);
  const victim = join(dir, 'shadow');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, join(dir, 'vigil.data'));
  replaceFile(dir, 'vigil.data', 'dump\n');
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  const st = lstatSync(join(dir, 'vigil.data'));
  assert.ok(st.isFile(), 'a regular file now');
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, 'vigil.data'), 'utf8'), 'dump\n');
  assert.deepEqual(readdirSync(dir).sort(), ['shadow', 'vigil.data']);
});

test('a FIFO at the name is replaced without opening it (no reader: an open for writing would block forever)', (t) => {
  const dir = scratch(t);
  assert.equal(spawnSync('mkfifo', [join(dir, 'vigil.json')]).status, 0);
  // In a child with a deadline: a regression blocks in open(2), which no test timeout can interrupt in-process.
  const url = new URL('../../transport/real/private-files.js', import.meta.url).href;
  const code = `const { replaceFile } = await import(${JSON.stringify(url)}); replaceFile(${JSON.stringify(dir)}, 'vigil.json', '{}\\n');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, 'did not hang');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(lstatSync(join(dir, 'vigil.json')).isFile());
  assert.equal(readFileSync(join(dir, 'vigil.json'), 'utf8'), '{}\n');
});

test('a directory at the name: an error naming the cause, the directory intact, no temporary file left', (t) => {
  const dir = scratch(t);
  mkdirSync(join(dir, 'vigil.stats'));
  writeFileSync(join(dir, 'vigil.stats', 'inside'), 'x');
  assert.throws(() => replaceFile(dir, 'vigil.stats', 'stats\n'), (err: NodeJS.ErrnoException) => err.code === 'EISDIR');
  assert.ok(lstatSync(join(dir, 'vigil.stats')).isDirectory());
  assert.deepEqual(readdirSync(dir), ['vigil.stats']);
});

test('a temporary name taken by a symlink is not followed either', (t) => {
  const dir = scratch(t);
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  // Whatever name the next write picks, O_EXCL refuses an existing entry: plant links at many likely names.
  for (let i = 0; i < 64; i++) symlinkSync(victim, join(dir, `.vigil.data.${process.pid}.${i}.tmp`));
  let wrote = 0;
  for (let i = 0; i < 64; i++) {
    try {
      replaceFile(dir, 'vigil.data', 'dump\n');
      wrote++;
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'EEXIST');
    }
  }
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.ok(wrote < 64, 'some names were taken and refused');
});

test('the directory: made 0700 when missing; refused when a symlink, when others may write it, or not a directory', (t) => {
  const dir = scratch(t);
  const made = join(dir, 'run', 'vigil');
  ensurePrivateDirectory(made);
  assert.equal(lstatSync(made).mode & 0o777, 0o700);
  ensurePrivateDirectory(made);
  const link = join(dir, 'link');
  symlinkSync(made, link);
  assert.throws(() => ensurePrivateDirectory(link), /link is a symbolic link: refused/);
  const open = join(dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  assert.throws(() => ensurePrivateDirectory(open), /open is writable by others \(mode 0777\): refused/);
  const file = join(dir, 'file');
  writeFileSync(file, '');
  assert.throws(() => ensurePrivateDirectory(file), /EEXIST|not a directory/);
});
