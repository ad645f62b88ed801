/**
 * The BFD worker thread: the node's BFD sessions on the real clock, off the VRRP thread (keepalived runs them in a
 * BFD process of its own). Their changes of state cross back at once, dropped packets batched once per event-loop
 * turn; the sessions' counters after each apply and every `statusMs`; a heartbeat every `heartbeatMs`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RealClock } from '../../transport/real/real-clock.js';
import { RealRandom } from '../../transport/real/real-random.js';
import { watchAutoPriority } from '../../transport/real/auto-priority.js';
import { applyThreadScheduling } from '../../transport/real/thread-scheduling.js';
import type { BfdLink } from '../../transport/bfd-link.js';
import type { Random } from '../../transport/random.js';
import { InProcessBfdHost } from '../bfd/bfd-host.js';
import { forwardBfdEvents } from './bfd-forward.js';
import type { BfdWorkerData, FromBfdWorker, ToBfdWorker } from './bfd-wire.js';

const port = parentPort;
if (port === null) throw new Error('bfd-worker.js runs as a worker thread');
const data = workerData as BfdWorkerData;

// The thread's own scheduling (keepalived bfd_priority, bfd_rt_priority, bfd_rlimit_rttime, bfd_cpu_affinity,
// bfd_process_name): setpriority and sched_setscheduler act on the calling thread alone on Linux. sliceUs 0: the
// default slice, not the VRRP thread's short one a new thread inherits (with it, a hundred sessions at 10 ms were
// preempted mid-burst and flapped on a loaded host: bench/bfd-detection.ts, 99 of 100 not Up against 0; again on
// Linux 6.18 at load average 21-24, two pairs: 95-97 not Up against 76-83, detection p99 3.1 s against 0.15 s).
const warnings = [...applyThreadScheduling({ ...data.scheduling, sliceUs: 0 })].map((m) => `BFD thread scheduling: ${m}`);
const send = (message: FromBfdWorker): void => port.postMessage(message);

const clock = new RealClock();
const { maxAutoPriority: max, minAutoPriorityDelayUs: minDelayUs, realtimePriority: current, rlimitRttimeUs } = data.scheduling;
watchAutoPriority(clock, { max, minDelayUs, current, rlimitRttimeUs }, (m) => process.stderr.write(`vigil: BFD thread: ${m}\n`));

const random = new RealRandom();
const made = ((await import(data.linkModule)) as { createBfdLink(random: Random): { link: BfdLink; warnings: readonly string[] } }).createBfdLink(random);
warnings.push(...made.warnings);
const host = new InProcessBfdHost(made.link, clock, random);

const reportSessions = (): void => send({ t: 'sessions', sessions: host.sessions(), drops: [...host.dropCounts()] });
const status = setInterval(reportSessions, data.statusMs);
// The heartbeat (actors/daemon/worker-bfd-host.ts): a loop that runs says so every heartbeatMs; a hung one cannot.
const beat = setInterval(() => send({ t: 'beat' }), data.heartbeatMs);

// The counters go every statusMs, not with each change: a hundred sessions expiring one turn apart would otherwise
// send a hundred snapshots of a hundred sessions, and delay the changes behind them.
forwardBfdEvents(host.events$, (events) => send({ t: 'events', events }), setImmediate);

port.on('message', (message: ToBfdWorker) => {
  switch (message.t) {
    case 'apply':
      host.apply(message.specs, message.epoch);
      reportSessions();
      break;
    case 'stop':
      clearInterval(status);
      clearInterval(beat);
      host.stop();
      send({ t: 'stopped' });
      port.close();
      break;
  }
});

send({ t: 'ready', timeOrigin: performance.timeOrigin, warnings });
