/** processResources(): what the process holds, counted from /proc and Node's active resources. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { processResources } from '../../transport/real/process-resources.js';

test('children, open descriptors and timers are counted as they come and go', { skip: process.platform !== 'linux' && 'reads /proc (Linux)' }, async () => {
  const before = processResources();
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const fd = openSync('/dev/null', 'r');
  const timer = setInterval(() => undefined, 60_000);
  try {
    await new Promise((r) => child.once('spawn', r));
    const during = processResources();
    assert.equal(during.children, before.children + 1);
    assert.ok(during.open_fds >= before.open_fds + 1, `${during.open_fds} vs ${before.open_fds}`);
    assert.equal(during.handles['Timeout'] ?? 0, (before.handles['Timeout'] ?? 0) + 1);
    assert.ok(during.rss_kb > 0);
  } finally {
    clearInterval(timer);
    closeSync(fd);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  const after = processResources();
  assert.equal(after.children, before.children);
  assert.equal(after.handles['Timeout'] ?? 0, before.handles['Timeout'] ?? 0);
});
