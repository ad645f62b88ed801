/**
 * `vigil site`'s command line: peers as `URL` or `NAME=URL`, bad arguments refused with one line naming the
 * problem and exit 2 (no stack trace), and a running site that serves `/site` and the page on its `--http`,
 * its peer shown unreachable when nothing answers there, and that stops on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { parsePeer } from '../../cli/site-command.js';
import type { SiteSnapshot } from '../../observe/site/site.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const VIGIL = join(ROOT, 'bin/vigil');

test('peers: URL or NAME=URL, made the root of the endpoint', () => {
  assert.deepEqual(parsePeer('http://10.0.0.5:9650'), { url: 'http://10.0.0.5:9650/' });
  assert.deepEqual(parsePeer('lb1=http://10.0.0.5:9650/'), { url: 'http://10.0.0.5:9650/', name: 'lb1' });
  assert.deepEqual(parsePeer('r2=http://[fd77::2]:9650/'), { url: 'http://[fd77::2]:9650/', name: 'r2' });
  assert.deepEqual(parsePeer('r3=10.0.0.7:9650'), { url: 'http://10.0.0.7:9650/', name: 'r3' });
  assert.deepEqual(parsePeer('[fd77::3]:9650'), { url: 'http://[fd77::3]:9650/' });
  assert.throws(() => parsePeer('ftp://10.0.0.5/'), /^Error: ftp:\/\/10\.0\.0\.5\/: only http:\/\/ endpoints/);
  assert.throws(() => parsePeer('nonsense'), /^Error: nonsense: not a URL/);
  assert.throws(() => parsePeer('a b=http://x:1/'), /a node name is letters/);
});

test('bad arguments: one line, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-site-cli-'));
  try {
    const open = join(dir, 'token');
    writeFileSync(open, 'a-token-of-sufficient-length\n', { mode: 0o644 });
    const cases: [string[], RegExp][] = [
      [['https://x:1/'], /^vigil site: https:\/\/x:1\/: only http:\/\/ endpoints \(vigil run --http\) can be read\n$/],
      [['a=http://x:1/', 'a=http://y:1/'], /^vigil site: node name a given twice\n$/],
      [['http://x:1/?token=abc'], /^vigil site: http:\/\/x:1\/\?token=abc: no query or fragment \(the token goes in --peer-token-file\)\n$/],
      [['http://x:1/', '--http', 'nope'], /^vigil site: --http: not ADDR:PORT: nope\n$/],
      [['http://x:1/', '--peer-token-file', open], /^vigil site: --peer-token-file .*: mode 0644 lets others read or change the token \(chmod 600 or 640\)\n$/],
    ];
    for (const [args, message] of cases) {
      const r = spawnSync(VIGIL, ['site', ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A port nothing listens on (taken, then freed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a running site: /site and the page on its --http, a peer that does not answer unreachable, SIGTERM ends it', { timeout: 60_000 }, async () => {
  const [port, peerPort] = [await freePort(), await freePort()];
  const proc = spawn(VIGIL, ['site', `r9=http://127.0.0.1:${peerPort}/`, '--http', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  try {
    let snapshot: SiteSnapshot | undefined;
    for (let i = 0; i < 600 && snapshot?.peers[0]?.state !== 'unreachable'; i++) {
      await delay(50);
      snapshot = await fetch(`http://127.0.0.1:${port}/site`)
        .then((r) => r.json() as Promise<SiteSnapshot>)
        .catch(() => undefined);
    }
    assert.equal(snapshot?.peers[0]?.name, 'r9', stderr);
    assert.equal(snapshot?.peers[0]?.state, 'unreachable', stderr);
    assert.equal(snapshot?.peers[0]?.error, 'ECONNREFUSED');
    // The site's times are the wall clock's (the page labels its axis with the time of day).
    assert.ok(snapshot!.now > 1e12, String(snapshot!.now));
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    assert.match(page, /<title>vigil — site: r9<\/title>/);
    assert.match(stderr, new RegExp(`^vigil site: serving http://127\\.0\\.0\\.1:${port}/ \\(1 peer\\)$`, 'm'));
    assert.match(stderr, new RegExp(`^vigil site: r9 http://127\\.0\\.0\\.1:${peerPort}/ unreachable \\(ECONNREFUSED\\)$`, 'm'));
    proc.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
});
