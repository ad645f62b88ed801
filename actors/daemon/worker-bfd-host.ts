/**
 * The daemon's BfdHost: the sessions run in a worker thread (actors/daemon/bfd-worker.ts), as keepalived runs them
 * in a BFD process, so that neither a flap nor a hundred sessions at 10 ms hold up an advertisement on the VRRP
 * thread. Changes come as messages, shifted onto this thread's clock. A worker that dies is replaced, as
 * keepalived's parent restarts its BFD child: the sessions it ran are told Down (its neighbors see them go) and
 * start again from Down in the new one.
 */
import { Worker } from 'node:worker_threads';
import type { Observable } from 'rxjs';
import { Subject } from '../../transport/subject.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';
import type { BfdDropReason, BfdStateName } from '../../protocol/bfd-types.js';
import type { BfdHost, BfdHostEvent, BfdHostSession } from '../bfd/bfd-host.js';
import type { BfdSessionSpec } from '../bfd/bfd-session-spec.js';
import type { BfdWorkerData, FromBfdWorker, ToBfdWorker } from './bfd-wire.js';

export interface WorkerBfdHostOptions {
  readonly scheduling: ThreadScheduling;
  /** Scheduling that could not be applied, listeners that could not open, a worker that died. */
  readonly warn: (message: string) => void;
  /** The module that makes the worker's link (default the UDP link); tests give a loopback one. */
  readonly linkModule?: URL | undefined;
  /** Counters are reported after each apply and this often besides (default 1000 ms). */
  readonly statusMs?: number | undefined;
  /** Delay before a dead worker is replaced (default 100 ms). */
  readonly restartDelayMs?: number | undefined;
}

const WORKER_URL = new URL('./bfd-worker.js', import.meta.url);
const UDP_LINK_URL = new URL('../../transport/real/udp-bfd-link.js', import.meta.url);

export class WorkerBfdHost implements BfdHost {
  private readonly subject = new Subject<BfdHostEvent>();
  readonly events$: Observable<BfdHostEvent> = this.subject.asObservable();
  private worker: Worker | undefined;
  /** The last `apply`: what a replacement worker starts with. */
  private applied: { specs: readonly BfdSessionSpec[]; epoch: number } | undefined;
  /** Each session's state and epoch as the worker last told, for a replacement to tell Down. */
  private readonly states = new Map<string, { state: BfdStateName; epoch: number; neighbor: string }>();
  private lastSessions: readonly BfdHostSession[] = [];
  private drops = new Map<BfdDropReason, number>();
  /** Drops counted by workers that died. */
  private readonly retiredDrops = new Map<BfdDropReason, number>();
  /** The worker's clock minus this thread's (performance.now() origins differ per thread). */
  private offset = 0;
  private stopping = false;
  private restart: ReturnType<typeof setTimeout> | undefined;
  restarts = 0;

  constructor(private readonly options: WorkerBfdHostOptions) {
    this.spawn();
  }

  apply(specs: readonly BfdSessionSpec[], epoch: number): void {
    this.applied = { specs, epoch };
    const names = new Set(specs.map((s) => s.params.name));
    for (const name of this.states.keys()) if (!names.has(name)) this.states.delete(name);
    this.post({ t: 'apply', specs, epoch });
  }

  sessions(): readonly BfdHostSession[] {
    return this.lastSessions;
  }

  dropCounts(): ReadonlyMap<BfdDropReason, number> {
    const all = new Map(this.retiredDrops);
    for (const [reason, n] of this.drops) all.set(reason, (all.get(reason) ?? 0) + n);
    return all;
  }

  /** The worker thread's id (its /proc/PID/task entry is found by its name). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  stop(): void {
    this.stopping = true;
    if (this.restart !== undefined) clearTimeout(this.restart);
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) {
      worker.postMessage({ t: 'stop' } satisfies ToBfdWorker);
      const timer = setTimeout(() => void worker.terminate(), 2000);
      timer.unref();
      worker.once('exit', () => clearTimeout(timer));
    }
    this.subject.complete();
  }

  private post(message: ToBfdWorker): void {
    this.worker?.postMessage(message);
  }

  private spawn(): void {
    const data: BfdWorkerData = {
      scheduling: this.options.scheduling,
      linkModule: (this.options.linkModule ?? UDP_LINK_URL).href,
      statusMs: this.options.statusMs ?? 1000,
    };
    const worker = new Worker(WORKER_URL, { workerData: data });
    this.worker = worker;
    this.drops = new Map();
    let lastError: string | undefined;
    worker.on('message', (message: FromBfdWorker) => {
      if (worker === this.worker) this.receive(message);
    });
    worker.on('error', (err) => {
      lastError = err.message;
    });
    worker.on('exit', (code) => {
      if (worker !== this.worker || this.stopping) return;
      this.lost(`exit code ${code}${lastError !== undefined ? `: ${lastError}` : ''}`);
    });
    if (this.applied !== undefined) this.post({ t: 'apply', ...this.applied });
  }

  private receive(message: FromBfdWorker): void {
    switch (message.t) {
      case 'ready':
        this.offset = message.timeOrigin - performance.timeOrigin;
        for (const w of message.warnings) this.options.warn(w);
        break;
      case 'events':
        for (const e of message.events) {
          if (e.kind === 'drop') {
            this.subject.next({ ...e, at: e.at + this.offset });
            continue;
          }
          const c = e.change;
          this.states.set(c.name, { state: c.to, epoch: c.epoch, neighbor: c.neighbor });
          const lastReceivedAt = c.lastReceivedAt === undefined ? undefined : c.lastReceivedAt + this.offset;
          this.subject.next({ kind: 'change', change: { ...c, at: c.at + this.offset, lastReceivedAt } });
        }
        break;
      case 'sessions':
        this.lastSessions = message.sessions;
        this.drops = new Map(message.drops);
        break;
      case 'stopped':
        break;
    }
  }

  /** A worker died: its sessions are down (their neighbors detect it); a new one starts them again. */
  private lost(detail: string): void {
    this.worker = undefined;
    this.options.warn(`BFD thread lost (${detail}); restarting it`);
    for (const [reason, n] of this.drops) this.retiredDrops.set(reason, (this.retiredDrops.get(reason) ?? 0) + n);
    this.drops = new Map();
    const at = performance.now();
    for (const [name, s] of this.states) {
      if (s.state === 'Down') continue;
      // Diagnostic 7, Administratively Down: the session ended here, not by the neighbor (RFC 5880 §4.1).
      this.subject.next({ kind: 'change', change: { name, neighbor: s.neighbor, from: s.state, to: 'Down', localDiag: 7, remoteDiag: 0, at, lastReceivedAt: undefined, epoch: s.epoch, detectionTimeMs: undefined, byAdmin: false } });
      s.state = 'Down';
    }
    this.lastSessions = this.lastSessions.map((s) => ({ ...s, state: 'Down' as const }));
    this.restarts++;
    this.restart = setTimeout(() => {
      this.restart = undefined;
      if (!this.stopping) this.spawn();
    }, this.options.restartDelayMs ?? 100);
  }
}
