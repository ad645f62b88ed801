/**
 * The real process runner: no shell, exit codes, a hanging script killed (with what it started: its process group,
 * watched in /proc), script_user.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ChildProcessRunner } from '../../transport/real/child-process-runner.js';
import { readHostFacts } from '../../config/host-facts.js';

test('exit codes and signals are reported; a missing program is a failure, not an exception', async () => {
  const runner = new ChildProcessRunner();
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', 'exit 3'], timeoutMs: 30_000 }), { kind: 'exited', code: 3 });
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', 'kill -USR1 $$'], timeoutMs: 30_000 }), { kind: 'signalled', signal: 'SIGUSR1' });
  const missing = await runner.run({ argv: ['/nonexistent/script'], timeoutMs: 30_000 });
  assert.equal(missing.kind, 'failed');
  // No shell: metacharacters are plain arguments.
  assert.deepEqual(await runner.run({ argv: ['/bin/test', '$HOME', '=', '$HOME'], timeoutMs: 30_000 }), { kind: 'exited', code: 0 });
});

/** Live members of a process group (zombies are not: they have exited), from /proc. */
function groupMembers(pgid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const [state, , pgrp] = stat.slice(close + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') out.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Polls until `check` holds; the condition, with a generous bound, not a fixed wait. */
async function until(check: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > limitMs) assert.fail(`not within ${limitMs} ms: ${what}`);
    await delay(10);
  }
}

test('a hanging script is killed at the timeout, and so is the process it started', async () => {
  const runner = new ChildProcessRunner();
  const outcome = runner.run({ argv: ['/bin/sh', '-c', 'sleep 300 & exec sleep 301'], timeoutMs: 3000 });
  // The script leads its own process group: look at that group only, not at every sleep on the host.
  const [leader] = [...runner.running];
  assert.ok(leader !== undefined);
  let formed = false;
  const watch = (async () => {
    await until(() => groupMembers(leader).filter((m) => m.comm === 'sleep').length === 2, 'the script and its child both running');
    formed = true;
  })();
  assert.deepEqual(await outcome, { kind: 'timeout' });
  await watch.catch(() => undefined);
  assert.ok(formed, 'both sleeps were running before the timeout (the test shows nothing otherwise)');
  assert.equal(runner.running.size, 0);
  await until(() => groupMembers(leader).length === 0, 'the whole process group gone');
});

test('script_user: the script runs with that uid and gid', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to change user');
    return;
  }
  const nobody = readHostFacts().user('nobody');
  assert.ok(nobody, 'nobody exists');
  const runner = new ChildProcessRunner();
  const check = `test "$(id -u)" = ${nobody.uid} && test "$(id -g)" = ${nobody.gid}`;
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', check], timeoutMs: 30_000, user: nobody }), { kind: 'exited', code: 0 });
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', check], timeoutMs: 30_000 }), { kind: 'exited', code: 1 });
});

test('a script gets a clean environment: PATH and the locale, nothing else of vigil', async (t) => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scripts-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const saved = { ...process.env };
  t.after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  process.env['LD_PRELOAD'] = '/tmp/evil.so';
  process.env['NODE_OPTIONS'] = '--inspect';
  process.env['VIGIL_SECRET'] = 'x';
  process.env['LANG'] = 'C.UTF-8';
  const out = join(dir, 'env');
  const runner = new ChildProcessRunner();
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', `env > ${out}`], timeoutMs: 30_000 }), { kind: 'exited', code: 0 });
  const names = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.slice(0, l.indexOf('=')))
    // What sh itself sets for the command it runs.
    .filter((n) => n !== 'PWD' && n !== 'SHLVL' && n !== '_' && n !== 'OLDPWD');
  assert.deepEqual(names.sort(), ['LANG', 'PATH']);
});

test('an aborted run ends at once with SIGTERM, and a run without a timeout runs until then', async () => {
  const runner = new ChildProcessRunner();
  const abort = new AbortController();
  const run = runner.run({ argv: ['/bin/sleep', '30'], timeoutMs: Infinity, signal: abort.signal });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(runner.running.size, 1, 'still running after 200 ms: no timeout fired');
  abort.abort();
  // SIGTERM can only be the abort's: nothing else signals it, and it has no timeout (no wall-clock bound asserted).
  assert.deepEqual(await run, { kind: 'signalled', signal: 'SIGTERM' });
  assert.equal(runner.running.size, 0);
});
