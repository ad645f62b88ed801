/**
 * The real process runner: no shell, exit codes, a hanging script killed (with what it started: its process group,
 * watched in /proc), script_user.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ChildProcessRunner, resolveUser } from '../../transport/real/child-process-runner.js';

test('exit codes and signals are reported; a missing program is a failure, not an exception', async () => {
  const runner = new ChildProcessRunner();
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', 'exit 3'], timeoutMs: 5000 }), { kind: 'exited', code: 3 });
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', 'kill -USR1 $$'], timeoutMs: 5000 }), { kind: 'signalled', signal: 'SIGUSR1' });
  const missing = await runner.run({ argv: ['/nonexistent/script'], timeoutMs: 5000 });
  assert.equal(missing.kind, 'failed');
  // No shell: metacharacters are plain arguments.
  assert.deepEqual(await runner.run({ argv: ['/bin/test', '$HOME', '=', '$HOME'], timeoutMs: 5000 }), { kind: 'exited', code: 0 });
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
  const nobody = await resolveUser('nobody');
  assert.ok(nobody, 'nobody exists');
  const runner = new ChildProcessRunner();
  const check = `test "$(id -u)" = ${nobody.uid} && test "$(id -g)" = ${nobody.gid}`;
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', check], timeoutMs: 5000, user: nobody }), { kind: 'exited', code: 0 });
  assert.deepEqual(await runner.run({ argv: ['/bin/sh', '-c', check], timeoutMs: 5000 }), { kind: 'exited', code: 1 });
  assert.equal(await resolveUser('no-such-user-here'), undefined);
});
