/** The real process runner: no shell, exit codes, a hanging script killed (with what it started), script_user. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
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

test('a hanging script is killed at the timeout, and so is the process it started', async () => {
  const runner = new ChildProcessRunner();
  const outcome = await runner.run({ argv: ['/bin/sh', '-c', 'sleep 300 & exec sleep 301'], timeoutMs: 300 });
  assert.deepEqual(outcome, { kind: 'timeout' });
  assert.equal(runner.running.size, 0);
  await new Promise((r) => setTimeout(r, 300));
  const { execFileSync } = await import('node:child_process');
  const left = execFileSync('/bin/sh', ['-c', "pgrep -f '^sleep 30[01]$' || true"], { encoding: 'utf8' }).trim();
  assert.equal(left, '', 'the whole process group is gone');
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
