/**
 * vrrp_rt_priority / checker_rt_priority: the calling thread alone becomes SCHED_RR, and what it starts afterwards
 * (threads, processes such as notify scripts) does not inherit it. Run inside a worker thread so the test runner's
 * own thread is never made realtime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { nativeAvailable } from '../../native/index.js';

/** (policy, rt_priority) of a /proc/…/stat line: fields 41 and 40. */
function schedOf(stat: string): { policy: number; rtPriority: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return { policy: Number(fields[41 - 3]), rtPriority: Number(fields[40 - 3]) };
}

const SCHED_OTHER = 0;
const SCHED_RR = 2;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
import(workerData.module).then(({ applyThreadScheduling }) => {
  const failed = applyThreadScheduling({ realtimePriority: 7, nice: 3 });
  const self = readFileSync('/proc/thread-self/stat', 'utf8');
  const child = execFileSync('cat', ['/proc/self/stat'], { encoding: 'utf8' });
  parentPort.postMessage({ failed, self, child });
});
`;

test('applyThreadScheduling: SCHED_RR for the calling thread only, not inherited by processes it starts', { skip: nativeAvailable() ? false : 'vigil_native addon not built' }, async (t) => {
  const module = new URL('../../transport/real/thread-scheduling.js', import.meta.url).href;
  const worker = new Worker(WORKER, { eval: true, workerData: { module } });
  const [answer] = (await new Promise((resolve, reject) => {
    worker.once('message', (m) => resolve([m]));
    worker.once('error', reject);
  })) as [{ failed: string[]; self: string; child: string }];
  await worker.terminate();
  if (answer.failed.some((f) => /predates/.test(f))) {
    t.skip('the built vigil_native addon is older than setRealtimePriority: rebuild it');
    return;
  }
  if (answer.failed.length > 0) {
    // Not permitted here (no CAP_SYS_NICE): the failure is reported, not thrown.
    assert.match(answer.failed.join('\n'), /EPERM|not permitted/i);
    return;
  }
  assert.deepEqual(schedOf(answer.self), { policy: SCHED_RR, rtPriority: 7 });
  assert.equal(schedOf(answer.child).policy, SCHED_OTHER);
  assert.equal(schedOf(readFileSync('/proc/thread-self/stat', 'utf8')).policy, SCHED_OTHER);
});
