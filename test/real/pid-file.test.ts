/**
 * The pid file (transport/real/pid-file.ts): created exclusively; a file naming a process that is gone, a
 * zombie, or a live process that is not vigil is stale and replaced; a live vigil blocks the start; something
 * other than a regular file at the path is refused, not removed. Only processes this test started are used.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { claimPidFile, isVigil, PidFileError, processAlive, releasePidFile } from '../../transport/real/pid-file.js';

function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-harden-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a process, killed when the test ends. */
function started(t: TestContext, argv: string[]): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => child.kill('SIGKILL'));
  return child;
}

/** Polls `check` until it holds (up to `ms`); the condition, not a fixed wait. */
async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await delay(10);
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', () => reject(new Error(`exited before printing a line (${out})`)));
  });
}

const pidIn = (path: string): number => Number(readFileSync(path, 'utf8').trim());

test('no file: created with our pid, exclusively; released only while it is ours', (t) => {
  const path = join(scratch(t), 'vigil.pid');
  claimPidFile(path);
  assert.equal(pidIn(path), process.pid);
  assert.equal(lstatSync(path).mode & 0o777, 0o644);
  releasePidFile(path, process.pid + 1);
  assert.equal(pidIn(path), process.pid, 'another pid does not release it');
  releasePidFile(path);
  assert.throws(() => lstatSync(path), /ENOENT/);
});

test('stale: a process that is gone, a zombie, a live process that is not vigil, or no number at all', async (t) => {
  const path = join(scratch(t), 'vigil.pid');
  const gone = started(t, ['/bin/true']);
  await new Promise((r) => gone.once('exit', r));
  assert.equal(processAlive(gone.pid!), false);
  // A zombie: the shell's background child exits once `sleep` has replaced the shell (exec), and sleep never reaps
  // it (exiting before the exec, the shell itself might).
  const parent = started(t, ['/bin/sh', '-c', `sh -c 'until [ "$(cat /proc/$1/comm)" = sleep ]; do sleep 0.01; done' sh $$ & echo $!; exec sleep 300`]);
  const zombie = Number(await firstLine(parent));
  await until(() => readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z '));
  assert.equal(processAlive(zombie), false, 'a zombie is not alive');
  const other = started(t, ['sleep', '300']);
  assert.equal(processAlive(other.pid!), true);
  assert.equal(isVigil(other.pid!), false);
  for (const content of [`${gone.pid}\n`, `${zombie}\n`, `${other.pid}\n`, 'garbage\n', '']) {
    writeFileSync(path, content);
    claimPidFile(path);
    assert.equal(pidIn(path), process.pid, `claimed over ${JSON.stringify(content)}`);
    rmSync(path);
  }
});

test('a live vigil blocks the start, named with its pid', async (t) => {
  const path = join(scratch(t), 'vigil.pid');
  // A process named as `vigil run` names itself (its process title).
  const daemon = started(t, [process.execPath, '-e', "process.title = 'vigil run -f x'; console.log('ready'); setInterval(() => {}, 1e6)"]);
  await firstLine(daemon);
  assert.equal(isVigil(daemon.pid!), true);
  writeFileSync(path, `${daemon.pid}\n`);
  assert.throws(() => claimPidFile(path), (err: Error) => err instanceof PidFileError && err.message === `already running as pid ${daemon.pid} (pid file ${path})`);
  assert.equal(pidIn(path), daemon.pid, 'left as it was');
  daemon.kill('SIGKILL');
  await new Promise((r) => daemon.once('exit', r));
  claimPidFile(path);
  assert.equal(pidIn(path), process.pid);
});

test('a symlink or a directory at the path is refused and left alone', (t) => {
  const dir = scratch(t);
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  const link = join(dir, 'link.pid');
  symlinkSync(victim, link);
  assert.throws(() => claimPidFile(link), /pid file .*link\.pid is not a regular file \(a symbolic link\): not removed/);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.ok(lstatSync(link).isSymbolicLink());
  const folder = join(dir, 'dir.pid');
  mkdirSync(folder);
  assert.throws(() => claimPidFile(folder), /is not a regular file \(a directory\)/);
  assert.throws(() => claimPidFile(join(dir, 'missing', 'vigil.pid')), /cannot create pid file .*: ENOENT/);
});
