/**
 * A worker thread that ends inside an addon callback (process.exit in the callback, or terminate() while the
 * callback spins: the checker watchdog replacing a hung worker) ends alone. Before NODE_API_SWALLOW_UNTHROWABLE_
 * EXCEPTIONS, node-addon-api turned the failed call into JS into a fatal error that aborted the whole process.
 * Each case runs in a child process, so that an abort fails the test instead of killing the runner.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from '../../native/index.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./native-worker-exit-child.js', import.meta.url));
const skip = nativeAvailable() ? false : 'vigil_native addon not built';

for (const [mode, code] of [
  ['connector-exit', 3],
  ['connector-terminate', 1],
  ['timer-exit', 3],
  ['timer-terminate', 1],
] as const) {
  test(`a worker that ends inside the addon's callback (${mode}) ends alone, with code ${code}`, { skip }, async () => {
    const { stdout, stderr } = await run(process.execPath, [child, mode], { timeout: 20_000 }).catch((err: { stdout?: string; stderr?: string; code?: unknown; signal?: unknown }) => {
      assert.fail(`child failed (${String(err.code ?? err.signal)}): ${err.stderr ?? ''}`);
    });
    assert.equal(stdout.trim(), `worker exit ${code}`);
    assert.doesNotMatch(stderr, /FATAL ERROR/);
  });
}
