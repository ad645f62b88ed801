/**
 * The daemon's CheckerHost: checkers run in a worker thread (actors/daemon/checker-worker.ts), so that a flood of
 * checks never delays an advertisement on the main thread. Supervised like keepalived's checker child: a worker
 * that exits, or stops answering heartbeats, is replaced; the new one gets every checker again, starting from the
 * state each last reported, so a restart neither flaps the pool nor touches the VRRP side.
 */
import { Worker } from 'node:worker_threads';
import { Subject, type Observable } from 'rxjs';
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import { nextTurn, type Clock, type TimerId } from '../../machines/clock.js';
import { watchdogMachine } from '../../machines/watchdog.js';
import type { CheckerReport } from '../../machines/checker.js';
import { refuseDuplicates, type CheckerAddOptions, type CheckerHost, type HostEvent, type ProbeCounters } from '../checks/checker-host.js';
import type { ResolvedChecker } from '../checks/resolve-checkers.js';
import { decodeMessage, encodeMessage, type FromWorker, type ToWorker } from '../checks/checker-wire.js';

export interface WorkerHostOptions {
  readonly clock: Clock;
  /** Heartbeat period; a worker silent for `hangAfterMs` is terminated and replaced. */
  readonly heartbeatMs?: number;
  readonly hangAfterMs?: number;
  /**
   * How long a new worker may take to load before it is terminated as hung (default 30 s): loading takes a few
   * hundred milliseconds, far more on a loaded host, and a short `hangAfterMs` must not kill every replacement.
   */
  readonly startLimitMs?: number;
  /** First restart delay, doubled on each crash in a row up to `maxRestartDelayMs`. */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /** Nice value of the worker thread (keepalived `checker_priority`; Linux renices the thread alone); default 10. */
  readonly nice?: number | undefined;
  /** keepalived `checker_rt_priority` (SCHED_RR) and `checker_rlimit_rttime` (µs) for the worker thread. */
  readonly realtimePriority?: number | undefined;
  readonly rlimitRttimeUs?: number | undefined;
  /** checker_cpu_affinity and checker_process_name for the worker thread. */
  readonly cpus?: readonly number[] | undefined;
  readonly name?: string | undefined;
  /** max_auto_priority and min_auto_priority_delay, watched on the worker's clock. */
  readonly maxAutoPriority?: number | undefined;
  readonly minAutoPriorityDelayUs?: number | undefined;
  readonly inspect?: (event: InspectionEvent) => void;
  /**
   * How many reports one turn of the clock delivers: at most `reports`, or as many as `ms` allow. The worker sends
   * its reports in batches (2,000 checkers failing together make one), and each costs the virtual server's machine
   * a transition: delivered at once they held the VRRP thread for 0.1–0.8 s. Default 64 reports or 4 ms.
   */
  readonly reportSlice?: { readonly reports: number; readonly ms: number };
  /**
   * The worker's entry module; default actors/daemon/checker-worker.js. Tests give one that wraps it with fault
   * injection (hang, crash), which is no part of the worker protocol.
   */
  readonly entry?: URL;
}

const WORKER_URL = new URL('./checker-worker.js', import.meta.url);
const DEFAULT_START_LIMIT_MS = 30_000;
const DEFAULT_REPORT_SLICE = { reports: 64, ms: 4 } as const;

export class WorkerCheckerHost implements CheckerHost {
  private readonly subject = new Subject<HostEvent>();
  readonly events$: Observable<HostEvent> = this.subject.asObservable();
  private worker: Worker | undefined;
  private readonly checkers = new Map<string, ResolvedChecker>();
  private readonly disabled = new Set<string>();
  /** The state each checker last reported: what a replacement worker resumes with. */
  private readonly lastUp = new Map<string, boolean>();
  private readonly pendingCounters = new Map<number, (c: ProbeCounters) => void>();
  /** Probes of workers that have died. */
  private readonly retired: ProbeCounters = { probes: 0, failures: 0 };
  private lastSeen: ProbeCounters = { probes: 0, failures: 0 };
  private request = 0;
  /** The supervisor: heartbeats, hang detection, restarts with backoff (machines/watchdog.ts). */
  private readonly watchdog: Actor<typeof watchdogMachine>;
  private stopping = false;
  private lastError: string | undefined;
  /** Whether the current worker has said it is ready (a hang before that is a failed start). */
  private ready = false;
  /** Reports received and not yet delivered (from `inboxHead` on), in the order the worker sent them. */
  private inbox: { readonly at: number; readonly report: CheckerReport }[] = [];
  private inboxHead = 0;
  /** The turn that delivers the next slice of the inbox. */
  private delivering: TimerId | undefined;
  constructor(private readonly options: WorkerHostOptions) {
    const machine = watchdogMachine.provide({
      actions: {
        spawn: (_, params) => this.spawn(params.restart ? 'restarted' : 'started'),
        ping: () => this.post({ t: 'ping', req: ++this.request }),
        terminate: () => void this.worker?.terminate(),
        report: (_, params) => this.lost(params.event, params.code),
      },
    });
    this.watchdog = createActor(machine, {
      input: {
        heartbeatMs: options.heartbeatMs ?? 1000,
        hangAfterMs: options.hangAfterMs ?? 10_000,
        startLimitMs: options.startLimitMs ?? DEFAULT_START_LIMIT_MS,
        restartDelayMs: options.restartDelayMs ?? 100,
        maxRestartDelayMs: options.maxRestartDelayMs ?? 5000,
        stableAfterMs: 30_000,
      },
      clock: options.clock,
      inspect: options.inspect,
      id: 'watchdog:checkers',
    });
    this.watchdog.start();
  }

  /** Restarts so far. */
  get restarts(): number {
    return this.watchdog.getSnapshot().context.restarts;
  }

  add(checkers: readonly ResolvedChecker[], options: CheckerAddOptions = {}): void {
    // Refused here, not in the worker, where the throw would crash it.
    refuseDuplicates(checkers, (id) => this.checkers.has(id));
    for (const c of checkers) {
      this.checkers.set(c.id, c);
      if (options.disabled?.has(c.id)) this.disabled.add(c.id);
      const up = options.initialUp?.get(c.id);
      if (up !== undefined) this.lastUp.set(c.id, up);
    }
    this.post({
      t: 'add',
      checkers,
      disabled: checkers.filter((c) => this.disabled.has(c.id)).map((c) => c.id),
      initialUp: checkers.flatMap((c) => (this.lastUp.has(c.id) ? [[c.id, this.lastUp.get(c.id)!] as const] : [])),
    });
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      this.checkers.delete(id);
      this.disabled.delete(id);
      this.lastUp.delete(id);
    }
    this.post({ t: 'remove', ids });
  }

  setEnabled(ids: readonly string[], enabled: boolean): void {
    for (const id of ids) {
      if (enabled) this.disabled.delete(id);
      else this.disabled.add(id);
    }
    this.post({ t: 'enable', ids, enabled });
  }

  counters(): Promise<ProbeCounters> {
    // Between a worker's death and its replacement nobody would answer: the dead workers' count is the answer.
    if (this.worker === undefined) return Promise.resolve({ ...this.retired });
    const req = ++this.request;
    return new Promise((resolve) => {
      this.pendingCounters.set(req, (c) => {
        this.lastSeen = c;
        resolve({ probes: this.retired.probes + c.probes, failures: this.retired.failures + c.failures });
      });
      this.post({ t: 'counters', req });
    });
  }

  /** The worker thread's event-loop utilisation since it started (busy fraction, for benchmarks and status). */
  eventLoopUtilization(): { idle: number; active: number; utilization: number } | undefined {
    return this.worker?.performance.eventLoopUtilization();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.watchdog.send({ type: 'STOP' });
    if (this.delivering !== undefined) this.options.clock.clearTimeout(this.delivering);
    this.delivering = undefined;
    this.inbox = [];
    this.inboxHead = 0;
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage(encodeMessage({ t: 'stop' }));
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    }
    this.subject.complete();
  }

  private post(message: ToWorker): void {
    const worker = this.worker;
    if (worker === undefined) return; // a replacement gets everything on start
    const bytes = encodeMessage(message);
    worker.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
  }

  private spawn(event: 'started' | 'restarted'): void {
    const { nice, realtimePriority, rlimitRttimeUs, cpus, name, maxAutoPriority, minAutoPriorityDelayUs } = this.options;
    const workerData = { nice: nice ?? 10, realtimePriority, rlimitRttimeUs, cpus, name, maxAutoPriority, minAutoPriorityDelayUs };
    const worker = new Worker(this.options.entry ?? WORKER_URL, { workerData });
    this.worker = worker;
    this.ready = false;
    this.lastSeen = { probes: 0, failures: 0 };
    worker.on('message', (bytes: Uint8Array) => {
      // A replaced worker's last words (a late pong, a late 'ready') are not the new one's.
      if (worker === this.worker) this.receive(decodeMessage<FromWorker>(bytes));
    });
    worker.on('error', (err) => {
      this.lastError = err.message;
    });
    worker.on('exit', (code) => this.exited(worker, code));
    if (this.checkers.size > 0) {
      const all = [...this.checkers.values()];
      this.post({
        t: 'add',
        checkers: all,
        disabled: [...this.disabled],
        initialUp: [...this.lastUp.entries()],
      });
    }
    const detail = `worker thread ${worker.threadId}`;
    // The first start happens in the constructor: let the caller subscribe before hearing of it.
    if (event === 'started') queueMicrotask(() => this.publishWorker(event, detail));
    else this.publishWorker(event, detail);
  }

  private receive(message: FromWorker): void {
    const at = this.options.clock.now();
    switch (message.t) {
      case 'reports':
        for (const [checker, detail] of message.failures ?? []) this.subject.next({ kind: 'failure', at, checker, detail });
        for (const report of message.reports) {
          // What a replacement worker resumes with is known at once; the virtual servers hear it a slice at a time.
          this.lastUp.set(report.id, report.up);
          this.inbox.push({ at, report: report as CheckerReport });
        }
        if (this.delivering === undefined) this.deliver();
        break;
      case 'counters':
        this.pendingCounters.get(message.req)?.({ probes: message.probes, failures: message.failures });
        this.pendingCounters.delete(message.req);
        break;
      case 'pong':
        this.watchdog.send({ type: 'PONG' });
        this.lastSeen = { probes: message.probes, failures: message.failures };
        break;
      case 'ready':
        this.ready = true;
        this.watchdog.send({ type: 'READY' });
        break;
      case 'stopped':
        break;
    }
  }

  /** Delivers one slice of the inbox; the rest on a later turn, after whatever is due meanwhile (an advertisement). */
  private deliver(): void {
    this.delivering = undefined;
    const { clock } = this.options;
    const slice = this.options.reportSlice ?? DEFAULT_REPORT_SLICE;
    const started = clock.now();
    let delivered = 0;
    while (this.inboxHead < this.inbox.length && !this.stopping) {
      if (delivered >= slice.reports || (delivered > 0 && clock.now() - started >= slice.ms)) {
        this.delivering = nextTurn(clock, () => this.deliver());
        return;
      }
      const next = this.inbox[this.inboxHead++]!;
      delivered++;
      this.subject.next({ kind: 'report', at: next.at, report: next.report });
    }
    this.inbox = [];
    this.inboxHead = 0;
  }

  private exited(worker: Worker, code: number): void {
    if (worker !== this.worker || this.stopping) return;
    this.worker = undefined;
    this.retired.probes += this.lastSeen.probes;
    this.retired.failures += this.lastSeen.failures;
    // Counter requests the dead worker will never answer.
    for (const answer of this.pendingCounters.values()) answer({ probes: 0, failures: 0 });
    this.pendingCounters.clear();
    this.watchdog.send({ type: 'EXITED', code });
  }

  /** The watchdog's report of a lost worker. */
  private lost(event: 'crashed' | 'hung', code: number | undefined): void {
    if (event === 'hung') {
      this.publishWorker(
        'hung',
        this.ready
          ? `no heartbeat answer for ${this.options.hangAfterMs ?? 10_000} ms`
          : `not started within ${this.options.startLimitMs ?? DEFAULT_START_LIMIT_MS} ms`,
      );
      return;
    }
    this.publishWorker('crashed', `exit code ${code ?? '?'}${this.lastError !== undefined ? `: ${this.lastError}` : ''}`);
    this.lastError = undefined;
  }

  private publishWorker(event: 'started' | 'crashed' | 'hung' | 'restarted', detail: string): void {
    this.subject.next({ kind: 'worker', at: this.options.clock.now(), event, detail });
  }
}
