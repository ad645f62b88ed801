/**
 * The checker worker thread: checkers with real probers on the real clock, off the VRRP thread (keepalived runs
 * its checkers in a child process of their own). Only reports cross back, batched once per event-loop turn.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RealClock } from '../../transport/real/real-clock.js';
import { watchAutoPriority } from '../../transport/real/auto-priority.js';
import { RealRandom } from '../../transport/real/real-random.js';
import { RealProber } from '../../transport/real/probers/real-prober.js';
import { applyThreadScheduling, deprioritizeNodePlatformThreads } from '../../transport/real/thread-scheduling.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';
import type { CheckerReport } from '../../machines/checker.js';
import { watchFile } from '../../transport/real/file-watch.js';
import { InProcessCheckerHost } from '../checks/checker-host.js';
import { decodeMessage, encodeMessage, type FromWorker, type ToWorker } from '../checks/checker-wire.js';

const port = parentPort;
if (port === null) throw new Error('checker-worker.js runs as a worker thread');

// The worker thread's own scheduling (keepalived checker_priority, checker_rt_priority, checker_rlimit_rttime). On
// Linux both setpriority and sched_setscheduler act on the calling thread only: at the default nice 10 the checkers
// yield the CPU to the VRRP thread when both want it. Not permitted: the thread keeps the default scheduling.
const scheduling = (workerData ?? {}) as ThreadScheduling;
const nice = scheduling.nice ?? 10;
// sliceUs 0: the default slice again, not the VRRP thread's short one that a new thread inherits.
applyThreadScheduling({ ...scheduling, nice, sliceUs: 0 });
// The helper threads that collect this worker's garbage must not hold up the VRRP thread either.
deprioritizeNodePlatformThreads();

const send = (message: FromWorker): void => {
  const bytes = encodeMessage(message);
  port.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
};

const clock = new RealClock();
// max_auto_priority: the worker thread goes realtime (then higher) when its own timers run late.
watchAutoPriority(
  clock,
  { max: scheduling.maxAutoPriority, minDelayUs: scheduling.minAutoPriorityDelayUs, current: scheduling.realtimePriority, rlimitRttimeUs: scheduling.rlimitRttimeUs },
  (message) => process.stderr.write(`vigil: checker thread: ${message}\n`),
);

const host = new InProcessCheckerHost({
  clock,
  random: new RealRandom(),
  prober: new RealProber(),
  publishProbes: false,
  watchFile,
});

let batch: CheckerReport[] = [];
let failures: [string, string][] = [];
let pending = false;
host.events$.subscribe((event) => {
  if (event.kind !== 'report' && event.kind !== 'failure') return;
  if (!pending) {
    pending = true;
    setImmediate(() => {
      send({ t: 'reports', reports: batch, ...(failures.length > 0 ? { failures } : {}) });
      batch = [];
      failures = [];
      pending = false;
    });
  }
  if (event.kind === 'report') batch.push(event.report);
  else failures.push([event.checker, event.detail]);
});

port.on('message', (bytes: Uint8Array) => {
  const message = decodeMessage<ToWorker>(bytes);
  switch (message.t) {
    case 'add':
      host.add(message.checkers, { disabled: new Set(message.disabled), initialUp: new Map(message.initialUp) });
      break;
    case 'remove':
      host.remove(message.ids);
      break;
    case 'enable':
      host.setEnabled(message.ids, message.enabled);
      break;
    case 'counters':
      void host.counters().then((c) => send({ t: 'counters', req: message.req, probes: c.probes, failures: c.failures }));
      break;
    case 'ping':
      void host.counters().then((c) => send({ t: 'pong', req: message.req, probes: c.probes, failures: c.failures }));
      break;
    case 'stop':
      // Ending runs at nice 0 at most: the VRRP thread joins this thread when it exits, and a nice-10 thread tearing
      // down 2,000 checkers on a loaded host held it blocked for 0.1-1 s (bench/liveness-stall.ts, blocked time).
      if (nice > 0 && !(scheduling.realtimePriority !== undefined && scheduling.realtimePriority > 0)) applyThreadScheduling({ nice: 0 });
      void host.stop().then(() => {
        send({ t: 'stopped' });
        port.close();
      });
      break;
  }
});

send({ t: 'ready' });
