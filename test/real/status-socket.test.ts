/**
 * The status socket (transport/real/status-socket.ts) as a root service: created 0600 (or the mode given); only
 * a stale socket is removed from its path, never a file, directory or link, nor a socket a live daemon answers
 * on; connections are capped, a large request frame closes the connection, a silent client is dropped after the
 * idle timeout, and the daemon keeps answering through all of it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestStatus, serveStatus, type StatusServer } from '../../transport/real/status-socket.js';

function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-harden-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(t: TestContext, path: string, options: Parameters<typeof serveStatus>[2] = {}): Promise<StatusServer> {
  const s = await serveStatus(path, (req) => ({ echo: req }), options);
  t.after(() => s.close());
  return s;
}

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.closed ? resolve() : s.once('close', () => resolve())));

test('created 0600 by default, or with the mode asked for; close removes it', async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'vigil.sock');
  const s = await serveStatus(path, () => 'ok');
  assert.ok(lstatSync(path).isSocket());
  assert.equal(lstatSync(path).mode & 0o777, 0o600);
  assert.equal(await requestStatus(path, { cmd: 'status' }), 'ok');
  s.close();
  assert.throws(() => lstatSync(path), /ENOENT/);
  const group = join(dir, 'group.sock');
  await serve(t, group, { mode: 0o660 });
  assert.equal(lstatSync(group).mode & 0o777, 0o660);
});

test('only a stale socket is removed from the path', async (t) => {
  const dir = scratch(t);
  // A regular file, a directory, a symlink (to a file of value): each refused and left as it was.
  const file = join(dir, 'file.sock');
  writeFileSync(file, 'data\n');
  await assert.rejects(serveStatus(file, () => 'x'), /file\.sock is a regular file, not a socket: not removed/);
  assert.equal(readFileSync(file, 'utf8'), 'data\n');
  const folder = join(dir, 'dir.sock');
  mkdirSync(folder);
  await assert.rejects(serveStatus(folder, () => 'x'), /is a directory, not a socket/);
  assert.ok(lstatSync(folder).isDirectory());
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  const link = join(dir, 'link.sock');
  symlinkSync(victim, link);
  await assert.rejects(serveStatus(link, () => 'x'), /is a symbolic link, not a socket/);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');

  // A socket someone still answers on (another daemon) is not taken over.
  const live = join(dir, 'live.sock');
  const other = createServer(() => {});
  await new Promise<void>((r) => other.listen(live, r));
  t.after(() => other.close());
  await assert.rejects(serveStatus(live, () => 'x'), /another daemon answers on it: not removed/);

  // A socket left by a crash (its process killed, nobody listens) is replaced.
  const stale = join(dir, 'stale.sock');
  const crashed = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => crashed.kill('SIGKILL'));
  await new Promise((r) => crashed.stdout!.once('data', r));
  crashed.kill('SIGKILL');
  await new Promise((r) => crashed.once('exit', r));
  assert.ok(lstatSync(stale).isSocket(), 'left behind');
  await serve(t, stale);
  assert.deepEqual(await requestStatus(stale, { cmd: 'status' }), { echo: { cmd: 'status' } });
});

test('connections are capped; the daemon answers again once they go', { timeout: 60_000 }, async (t) => {
  const path = join(scratch(t), 'vigil.sock');
  // No idle timeout to speak of: only the cap can close the extra connection.
  await serve(t, path, { maxConnections: 3, idleMs: 600_000 });
  const held = await Promise.all([connect(path), connect(path), connect(path)]);
  // The fourth is accepted by the kernel and closed by the server at once, with nothing written.
  const extra = await connect(path);
  let got = 0;
  extra.on('data', (c: Buffer) => (got += c.length));
  extra.on('error', () => {});
  await closed(extra);
  assert.equal(got, 0);
  // `vigil status` at the cap is told at once, not at its timeout.
  await assert.rejects(requestStatus(path, 1, 600_000), /closed the connection without an answer|EPIPE|ECONNRESET/);
  for (const c of held) c.destroy();
  await Promise.all(held.map(closed));
  // The server counts its connections down as it sees them close: ask until it answers (a refusal is prompt).
  for (let i = 0; ; i++) {
    try {
      assert.deepEqual(await requestStatus(path, 1, 10_000), { echo: 1 });
      break;
    } catch (err) {
      assert.match((err as Error).message, /closed the connection without an answer|EPIPE|ECONNRESET/);
      if (i > 200) throw err;
      await new Promise((r) => setImmediate(r));
    }
  }
});

test('a request frame over the limit closes the connection; a silent client is dropped after the idle timeout', { timeout: 60_000 }, async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'vigil.sock');
  await serve(t, path, { maxRequestBytes: 1024, idleMs: 600_000 });
  const big = await connect(path);
  big.on('error', () => {});
  const head = Buffer.alloc(4);
  head.writeUInt32BE(2048);
  big.write(head);
  await closed(big);
  assert.deepEqual(await requestStatus(path, { cmd: 'status' }), { echo: { cmd: 'status' } });
  const idle = join(dir, 'idle.sock');
  await serve(t, idle, { idleMs: 200 });
  const silent = await connect(idle);
  silent.on('error', () => {});
  await closed(silent);
  assert.deepEqual(await requestStatus(idle, { cmd: 'status' }), { echo: { cmd: 'status' } });
});
