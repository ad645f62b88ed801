/**
 * The daemon's BfdHost: the sessions run in a worker thread (actors/daemon/bfd-worker.ts), as keepalived runs them
 * in a BFD process, so that neither a flap nor a hundred sessions at 10 ms hold up an advertisement on the VRRP
 * thread. Changes come as messages, shifted onto this thread's clock. A worker that dies is replaced, as
 * keepalived's parent restarts its BFD child: the sessions it ran are told Down (its neighbors see them go) and
 * start again from Down in the new one.
 *
 * So is a worker that hangs (its loop blocked, not exited): it says it is alive every `heartbeatMs` on its own
 * timer, and one silent for longer than the hang bound, the smallest Detection Time of its sessions or
 * `minHangMs` (1 s) whichever is larger, is terminated. Below its sessions' Detection Time a stall is one the
 * neighbors would not have noticed either; past it they have, and the VRRP side must hear the sessions went Down.
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
  /** How often the worker says it is alive (default 200 ms). */
  readonly heartbeatMs?: number | undefined;
  /** The least silence that counts as a hang, whatever the sessions' Detection Times (default 1000 ms). */
  readonly minHangMs?: number | undefined;
  /** How long a new worker may take to load and say it is ready (default 30 s: far longer than usual on a loaded host). */
  readonly startLimitMs?: number | undefined;
}

/** Why a worker was replaced. */
export type BfdWorkerLoss = 'crashed' | 'hung';

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
  /** Replacements so far, by why. */
  private readonly lost = { crashed: 0, hung: 0 };
  /** When the worker last said anything (performance.now()), and whether it has said it is ready. */
  private lastHeard = 0;
  private ready = false;
  private readonly watch: ReturnType<typeof setInterval>;

  constructor(private readonly options: WorkerBfdHostOptions) {
    this.spawn();
    this.watch = setInterval(() => this.checkAlive(), this.heartbeatMs);
    this.watch.unref();
  }

  private get heartbeatMs(): number {
    return this.options.heartbeatMs ?? 200;
  }

  /** Workers replaced so far. */
  get restarts(): number {
    return this.lost.crashed + this.lost.hung;
  }

  /** Workers replaced so far, by why (/metrics vigil_bfd_worker_restarts_total). */
  workerRestarts(): Readonly<Record<BfdWorkerLoss, number>> {
    return { ...this.lost };
  }

  /**
   * The silence after which a ready worker is hung: its sessions' smallest Detection Time, as last reported, or
   * `minHangMs`, whichever is larger.
   */
  hangBoundMs(): number {
    const detection = this.lastSessions.map((s) => s.detectionTimeMs).filter((ms) => ms > 0);
    return Math.max(this.options.minHangMs ?? 1000, detection.length > 0 ? Math.min(...detection) : 0);
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
    clearInterval(this.watch);
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
      heartbeatMs: this.heartbeatMs,
    };
    const worker = new Worker(WORKER_URL, { workerData: data });
    this.worker = worker;
    this.drops = new Map();
    this.ready = false;
    this.lastHeard = performance.now();
    let lastError: string | undefined;
    worker.on('message', (message: FromBfdWorker) => {
      if (worker !== this.worker) return;
      this.lastHeard = performance.now();
      this.receive(message);
    });
    worker.on('error', (err) => {
      lastError = err.message;
    });
    worker.on('exit', (code) => {
      if (worker !== this.worker || this.stopping) return;
      this.replace('crashed', `exit code ${code}${lastError !== undefined ? `: ${lastError}` : ''}`);
    });
    if (this.applied !== undefined) this.post({ t: 'apply', ...this.applied });
  }

  private receive(message: FromBfdWorker): void {
    switch (message.t) {
      case 'ready':
        this.ready = true;
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
      case 'beat':
      case 'stopped':
        break;
    }
  }

  /**
   * On this thread's timer: a worker silent past its bound is hung. Its messages that came while this thread was
   * busy are read after the timers of this turn, so the verdict waits for them (setImmediate runs after that poll):
   * a stalled VRRP thread does not take a live worker for a hung one.
   */
  private checkAlive(): void {
    const worker = this.worker;
    if (worker === undefined || this.stopping) return;
    const bound = this.ready ? this.hangBoundMs() : (this.options.startLimitMs ?? 30_000);
    if (performance.now() - this.lastHeard <= bound) return;
    setImmediate(() => {
      const silent = performance.now() - this.lastHeard;
      if (worker !== this.worker || this.stopping || silent <= bound) return;
      this.replace('hung', this.ready ? `no heartbeat for ${Math.round(silent)} ms, bound ${Math.round(bound)} ms` : `not ready within ${bound} ms`, worker);
    });
  }

  /**
   * A worker died or hung: its sessions are down (their neighbors detect it); a new one starts them again, once a
   * hung one has ended (it holds the listening ports until then) or 2 s have passed.
   */
  private replace(why: BfdWorkerLoss, detail: string, hung?: Worker): void {
    this.worker = undefined;
    this.lost[why]++;
    this.options.warn(`BFD thread ${why === 'hung' ? 'hung' : 'lost'} (${detail}); restarting it`);
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
    const respawn = (): void => {
      this.restart = setTimeout(() => {
        this.restart = undefined;
        if (!this.stopping) this.spawn();
      }, this.options.restartDelayMs ?? 100);
    };
    if (hung === undefined) return respawn();
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      respawn();
    };
    const limit = setTimeout(once, 2000);
    hung.once('exit', once);
    void hung.terminate();
  }
}
