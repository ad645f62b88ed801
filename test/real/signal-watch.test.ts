/**
 * The addon's real-time signals (native/src/signal_watch.cc), each in a child Node process sending signals to
 * itself: a held signal no longer ends the process (its default action), a watched one reaches the callback with
 * its number, a closed watch leaves it ignored again, and execve hands it on ignored (a caught signal would be
 * back at its default action in the new image). No root needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { realtimeSignals } from '../../transport/real/keepalived-signals.js';

const NATIVE = pathToFileURL(join(resolve(fileURLToPath(import.meta.url), '../../..'), 'native/index.js')).href;

function child(code: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', `const native = await import(${JSON.stringify(NATIVE)});\n${code}`], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const { json, statsClear, threadDump } = realtimeSignals();

test('unheld, a real-time signal ends the process (the control)', () => {
  const r = child(`process.kill(process.pid, ${json}); await new Promise((r) => setTimeout(r, 2000)); console.log('alive');`);
  assert.equal(r.stdout, '');
  assert.equal(r.status, null);
});

test('held, watched, closed: ignored, then delivered with its number, then ignored again', () => {
  const r = child(`
    native.holdSignals([${json}, ${statsClear}, ${threadDump}]);
    const pause = () => new Promise((r) => setTimeout(r, 300));
    // A delivery is waited for (20 s at most: a loaded host), not assumed done after a fixed pause.
    const until = async (ok) => { for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10)); };
    for (const s of [${json}, ${statsClear}, ${threadDump}]) process.kill(process.pid, s);
    await pause();
    console.log('held');
    const seen = [];
    const watches = [${json}, ${statsClear}, ${threadDump}].map((s) => native.watchSignal(s, (n) => seen.push(n)));
    for (const s of [${threadDump}, ${json}, ${statsClear}, ${json}]) { const n = seen.length; process.kill(process.pid, s); await until(() => seen.length > n); }
    await pause();
    console.log('seen ' + seen.join(','));
    for (const w of watches) w.close();
    await pause();
    for (const s of [${json}, ${statsClear}, ${threadDump}]) process.kill(process.pid, s);
    await pause();
    console.log('closed ' + seen.length);
  `);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `held\nseen ${threadDump},${json},${statsClear},${json}\nclosed 4\n`);
  assert.equal(r.status, 0);
});

test('a watch nothing in JS holds is not collected: it still calls back after a garbage collection', () => {
  const r = child(`
    native.holdSignals([${statsClear}]);
    let seen = 0;
    native.watchSignal(${statsClear}, () => seen++);
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 100)); }
    process.kill(process.pid, ${statsClear});
    // Until it is delivered (20 s at most), then a moment more: a second call would show.
    for (let i = 0; i < 2000 && seen === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    console.log('seen ' + seen);
  `);
  assert.equal(r.stdout, 'seen 1\n', r.stderr);
});

test('held signals stay ignored across execve; a watched one not held is back at its default action there', (t) => {
  // The new image's stdout is not the pipe (Node's stdio descriptors are close-on-exec): it writes to a file.
  const dir = mkdtempSync(join(tmpdir(), 'vigil-signum-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = (out: string): string => `kill -${json} $$; echo survived > ${join(dir, out)}`;
  const held = child(`
    native.holdSignals([${json}]);
    native.watchSignal(${json}, () => {});
    native.execve('/bin/sh', ['/bin/sh', '-c', ${JSON.stringify(script('held'))}], []);
  `);
  assert.equal(held.status, 0, held.stderr);
  assert.equal(readFileSync(join(dir, 'held'), 'utf8'), 'survived\n');
  const unheld = child(`
    native.watchSignal(${json}, () => {});
    native.execve('/bin/sh', ['/bin/sh', '-c', ${JSON.stringify(script('unheld'))}], []);
  `);
  assert.equal(unheld.status, null, unheld.stderr);
  assert.ok(!existsSync(join(dir, 'unheld')));
});
