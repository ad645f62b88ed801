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

const SLICE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const slice = () => /se\\.slice\\s*:\\s*(\\d+)/.exec(readFileSync('/proc/thread-self/sched', 'utf8'))?.[1];
import(workerData.module).then(({ applyThreadScheduling }) => {
  const before = slice();
  const failedShort = applyThreadScheduling({ sliceUs: 100 });
  const short = slice();
  const failedBack = applyThreadScheduling({ sliceUs: 0 });
  parentPort.postMessage({ before, short, back: slice(), failed: [...failedShort, ...failedBack] });
});
`;

test('sliceUs: the calling thread\'s fair-scheduler slice, and 0 gives the default back', { skip: nativeAvailable() ? false : 'vigil_native addon not built' }, async (t) => {
  const module = new URL('../../transport/real/thread-scheduling.js', import.meta.url).href;
  const worker = new Worker(SLICE_WORKER, { eval: true, workerData: { module } });
  const answer = (await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  })) as { before?: string; short?: string; back?: string; failed: string[] };
  await worker.terminate();
  assert.deepEqual(answer.failed, []);
  if (answer.before === undefined) {
    t.skip('this kernel does not show se.slice in /proc/thread-self/sched');
    return;
  }
  assert.equal(answer.short, '100000');
  assert.notEqual(answer.back, '100000');
  assert.equal(answer.back, answer.before);
});

const REALTIME_OR_SLICE_CHILD = `
const { readFileSync } = require('node:fs');
import(process.argv[1]).then(({ applyThreadScheduling }) => {
  const failed = applyThreadScheduling({ realtimePriority: 5, sliceUs: 100 });
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const slice = /se\\.slice\\s*:\\s*(\\d+)/.exec(readFileSync('/proc/thread-self/sched', 'utf8'))?.[1];
  console.log(JSON.stringify({ failed, stat, slice }));
});
`;

/** The slice, fair scheduler only: skipped for a thread made realtime, kept for one refused realtime. */
test('sliceUs beside realtimePriority: a realtime thread stays SCHED_RR, a thread refused realtime gets the slice', { skip: nativeAvailable() ? false : 'vigil_native addon not built' }, async (t) => {
  const module = new URL('../../transport/real/thread-scheduling.js', import.meta.url).href;
  const { execFileSync } = await import('node:child_process');
  const run = (argv: readonly string[]): { failed: string[]; stat: string; slice?: string } =>
    JSON.parse(execFileSync(argv[0]!, [...argv.slice(1), process.execPath, '-e', REALTIME_OR_SLICE_CHILD, module], { encoding: 'utf8' })) as {
      failed: string[];
      stat: string;
      slice?: string;
    };
  const root = process.getuid?.() === 0;
  // As root, the same child once as it is (realtime granted) and once without capabilities (refused: RLIMIT_RTPRIO is
  // 0). Still uid 0, so that it reads a checkout only root can read (a clone under /root, mode 0700).
  const refusedArgv = root ? ['setpriv', '--inh-caps=-all', '--bounding-set=-all'] : ['env'];
  const refused = run(refusedArgv);
  if (refused.failed.length === 0) {
    t.skip('realtime priority was granted without privilege here (RLIMIT_RTPRIO)');
    return;
  }
  assert.match(refused.failed.join('\n'), /realtime priority 5: .*(EPERM|not permitted)/i);
  assert.equal(refused.failed.length, 1, refused.failed.join('\n'));
  assert.equal(schedOf(refused.stat).policy, SCHED_OTHER);
  if (refused.slice !== undefined) assert.equal(refused.slice, '100000');
  if (!root) return;
  const granted = run(['env']);
  assert.deepEqual(granted.failed, []);
  assert.deepEqual(schedOf(granted.stat), { policy: SCHED_RR, rtPriority: 5 });
  if (granted.slice !== undefined) assert.notEqual(granted.slice, '100000');
});

const PLATFORM_CHILD = `
const { readdirSync, readFileSync } = require('node:fs');
const niceOf = (tid) => { const s = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19 - 3]); };
const before = readdirSync('/proc/self/task').map(Number).filter((t) => t !== process.pid);
// libuv's pool starts on the first file read queued to it: four more threads.
require('node:fs').readFile('/proc/self/stat', () => {
  import(process.argv[1]).then(({ nodePlatformThreads, deprioritizeNodePlatformThreads }) => {
    const platform = nodePlatformThreads();
    const failed = deprioritizeNodePlatformThreads();
    const threads = readdirSync('/proc/self/task').map(Number).map((tid) => ({ tid, nice: niceOf(tid) }));
    console.log(JSON.stringify({ before, platform, failed, threads, main: process.pid }));
  });
});
`;

test('deprioritizeNodePlatformThreads: nice 19 for the threads Node starts before any JavaScript, not the main thread nor libuv\'s pool', async () => {
  const module = new URL('../../transport/real/thread-scheduling.js', import.meta.url).href;
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync(process.execPath, ['-e', PLATFORM_CHILD, module], { encoding: 'utf8' });
  const { before, platform, failed, threads, main } = JSON.parse(out) as {
    before: number[];
    platform: number[];
    failed: string[];
    threads: { tid: number; nice: number }[];
    main: number;
  };
  assert.deepEqual(failed, []);
  // The threads there before the first file read are exactly the ones chosen.
  assert.deepEqual([...platform].sort((a, b) => a - b), [...before].sort((a, b) => a - b));
  const pool = threads.filter((t) => t.tid !== main && !platform.includes(t.tid));
  assert.ok(pool.length >= 1, `libuv's pool started: ${JSON.stringify(threads)}`);
  for (const t of threads) assert.equal(t.nice, platform.includes(t.tid) ? 19 : 0, `thread ${t.tid}`);
});
