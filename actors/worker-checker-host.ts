/**
 * The daemon's CheckerHost: checkers run in a worker thread (actors/checker-worker.ts), so that a flood of
 * checks never delays an advertisement on the main thread. Supervised like keepalived's checker child: a worker
 * that exits, or stops answering heartbeats, is replaced; the new one gets every checker again, starting from the
 * state each last reported, so a restart neither flaps the pool nor touches the VRRP side.
 */
import { Worker } from 'node:worker_threads';
import { Subject, type Observable } from 'rxjs';
import type { Clock, TimerId } from '../transport/clock.js';
import type { CheckerReport } from '../machines/checker.js';
import type { CheckerAddOptions, CheckerHost, HostEvent, ProbeCounters } from './checker-host.js';
import type { ResolvedChecker } from './resolve-checkers.js';
import { decodeMessage, encodeMessage, type FromWorker, type ToWorker } from './checker-wire.js';

export interface WorkerHostOptions {
  readonly clock: Clock;
  /** Heartbeat period; a worker silent for `hangAfterMs` is terminated and replaced. */
  readonly heartbeatMs?: number;
  readonly hangAfterMs?: number;
  /** First restart delay, doubled on each crash in a row up to `maxRestartDelayMs`. */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /** Nice value of the worker thread (keepalived `checker_priority`; Linux renices the thread alone); default 10. */
  readonly nice?: number;
}

const WORKER_URL = new URL('./checker-worker.js', import.meta.url);

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
  private lastPong = 0;
  private heartbeat: TimerId | undefined;
  private restartTimer: TimerId | undefined;
  private crashesInARow = 0;
  private startedAt = 0;
  private stopping = false;
  private lastError: string | undefined;
  /** Restarts so far. */
  restarts = 0;

  constructor(private readonly options: WorkerHostOptions) {
    this.spawn('started');
  }

  add(checkers: readonly ResolvedChecker[], options: CheckerAddOptions = {}): void {
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

  /** Test hook for the watchdog: make the worker's event loop busy. */
  block(ms: number): void {
    this.post({ t: 'block', ms });
  }

  /** Test hook: kill the worker as a crash would. */
  crash(): void {
    void this.worker?.terminate();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.heartbeat !== undefined) this.options.clock.clearTimeout(this.heartbeat);
    if (this.restartTimer !== undefined) this.options.clock.clearTimeout(this.restartTimer);
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
    const { clock } = this.options;
    const worker = new Worker(WORKER_URL, { workerData: { nice: this.options.nice ?? 10 } });
    this.worker = worker;
    this.startedAt = clock.now();
    this.lastPong = clock.now();
    this.lastSeen = { probes: 0, failures: 0 };
    worker.on('message', (bytes: Uint8Array) => this.receive(decodeMessage<FromWorker>(bytes)));
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
    this.scheduleHeartbeat();
  }

  private receive(message: FromWorker): void {
    const at = this.options.clock.now();
    switch (message.t) {
      case 'reports':
        for (const report of message.reports) {
          this.lastUp.set(report.id, report.up);
          this.subject.next({ kind: 'report', at, report: report as CheckerReport });
        }
        break;
      case 'counters':
        this.pendingCounters.get(message.req)?.({ probes: message.probes, failures: message.failures });
        this.pendingCounters.delete(message.req);
        break;
      case 'pong':
        this.lastPong = at;
        this.lastSeen = { probes: message.probes, failures: message.failures };
        break;
      case 'ready':
      case 'stopped':
        break;
    }
  }

  private scheduleHeartbeat(): void {
    const { clock } = this.options;
    const period = this.options.heartbeatMs ?? 1000;
    const hangAfter = this.options.hangAfterMs ?? 10_000;
    this.heartbeat = clock.setTimeout(() => {
      if (this.stopping || this.worker === undefined) return;
      if (clock.now() - this.lastPong > hangAfter) {
        this.publishWorker('hung', `no heartbeat answer for ${Math.round(clock.now() - this.lastPong)} ms`);
        void this.worker.terminate(); // 'exit' restarts it
        return;
      }
      this.post({ t: 'ping', req: ++this.request });
      this.scheduleHeartbeat();
    }, period);
  }

  private exited(worker: Worker, code: number): void {
    if (worker !== this.worker || this.stopping) return;
    const { clock } = this.options;
    this.worker = undefined;
    if (this.heartbeat !== undefined) clock.clearTimeout(this.heartbeat);
    this.retired.probes += this.lastSeen.probes;
    this.retired.failures += this.lastSeen.failures;
    this.publishWorker('crashed', `exit code ${code}${this.lastError !== undefined ? `: ${this.lastError}` : ''}`);
    this.lastError = undefined;
    // Counter requests the dead worker will never answer.
    for (const answer of this.pendingCounters.values()) answer({ probes: 0, failures: 0 });
    this.pendingCounters.clear();
    // A worker that lived a while resets the backoff.
    if (clock.now() - this.startedAt > 30_000) this.crashesInARow = 0;
    const base = this.options.restartDelayMs ?? 100;
    const delay = Math.min(this.options.maxRestartDelayMs ?? 5000, base * 2 ** this.crashesInARow);
    this.crashesInARow++;
    this.restartTimer = clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.spawn('restarted');
    }, delay);
  }

  private publishWorker(event: 'started' | 'crashed' | 'hung' | 'restarted', detail: string): void {
    this.subject.next({ kind: 'worker', at: this.options.clock.now(), event, detail });
  }
}
