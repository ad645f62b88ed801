/**
 * Where checkers run. The contract is the same in-process (the simulator, tests) and in a worker thread (the
 * daemon, actors/daemon/worker-checker-host.ts): add checkers, pause/resume them (ha_suspend), and one RxJS stream of
 * what they report.
 */
import { Subject, type Observable } from 'rxjs';
import type { InspectionEvent } from 'xstate';
import type { Clock } from '../../machines/clock.js';
import type { Random } from '../../transport/random.js';
import type { Prober } from '../../transport/prober.js';
import { CheckerRunner, CheckerRuntime, type CheckerEvent } from './checker-runner.js';
import type { ResolvedChecker } from './resolve-checkers.js';
import type { FileWatch, WatchFile } from '../../transport/file-watch.js';

/** Supervision news from a worker host. */
export interface WorkerEvent {
  readonly kind: 'worker';
  readonly at: number;
  readonly event: 'started' | 'crashed' | 'hung' | 'restarted';
  readonly detail: string;
}

export type HostEvent = CheckerEvent | WorkerEvent;

export interface CheckerAddOptions {
  /** Checkers (by id) that start paused (their virtual server is ha_suspend'ed). */
  readonly disabled?: ReadonlySet<string>;
  /** State to resume with, by id (after a worker restart). */
  readonly initialUp?: ReadonlyMap<string, boolean>;
}

export interface ProbeCounters {
  probes: number;
  failures: number;
}

export interface CheckerHost {
  readonly events$: Observable<HostEvent>;
  /** Throws, adding none of them, when an id is already here or twice in `checkers`. */
  add(checkers: readonly ResolvedChecker[], options?: CheckerAddOptions): void;
  remove(ids: readonly string[]): void;
  setEnabled(ids: readonly string[], enabled: boolean): void;
  /** Probes run so far (across restarts). */
  counters(): Promise<ProbeCounters>;
  stop(): Promise<void>;
}

export interface InProcessOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly prober: Prober;
  /** Publish every probe result (not only reports); off in the worker, where it would flood the channel. */
  readonly publishProbes?: boolean;
  /** FILE_CHECK: probe at once when the file changes (real files only). */
  readonly watchFile?: WatchFile | undefined;
  readonly inspect?: (event: InspectionEvent) => void;
  /** The runners' steady-state shortcut (default on; tests compare runs without it). */
  readonly steadyShortcut?: boolean;
}

/** Throws on the first id already present (`has`) or given twice: before anything is added, so a batch is all or nothing. */
export function refuseDuplicates(checkers: readonly ResolvedChecker[], has: (id: string) => boolean): void {
  const seen = new Set<string>();
  for (const { id } of checkers) {
    if (has(id) || seen.has(id)) throw new Error(`duplicate checker id ${id}`);
    seen.add(id);
  }
}

export class InProcessCheckerHost implements CheckerHost {
  private readonly subject = new Subject<HostEvent>();
  readonly events$: Observable<HostEvent> = this.subject.asObservable();
  private readonly runners = new Map<string, CheckerRunner>();
  private readonly watches = new Map<string, FileWatch>();
  private readonly stats: ProbeCounters = { probes: 0, failures: 0 };

  /** One checker machine for all the checkers here. */
  private readonly runtime: CheckerRuntime;

  constructor(private readonly options: InProcessOptions) {
    this.runtime = new CheckerRuntime(options.clock);
  }

  add(checkers: readonly ResolvedChecker[], options: CheckerAddOptions = {}): void {
    refuseDuplicates(checkers, (id) => this.runners.has(id));
    const publishProbes = this.options.publishProbes ?? true;
    for (const checker of checkers) {
      const initialUp = options.initialUp?.get(checker.id);
      const runner = new CheckerRunner(
        checker,
        {
          clock: this.options.clock,
          random: this.options.random,
          prober: this.options.prober,
          inspect: this.options.inspect,
          steadyShortcut: this.options.steadyShortcut,
          publishProbes,
          probed: (ok) => {
            this.stats.probes++;
            if (!ok) this.stats.failures++;
          },
          publish: (event) => this.subject.next(event),
        },
        { enabled: !(options.disabled?.has(checker.id) ?? false), ...(initialUp !== undefined ? { initialUp } : {}) },
        this.runtime,
      );
      this.runners.set(checker.id, runner);
      runner.start();
      if (this.options.watchFile && checker.probe.kind === 'file') {
        this.watches.set(checker.id, this.options.watchFile(checker.probe.path, () => runner.checkNow()));
      }
    }
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      this.runners.get(id)?.stop();
      this.runners.delete(id);
      this.watches.get(id)?.close();
      this.watches.delete(id);
    }
  }

  setEnabled(ids: readonly string[], enabled: boolean): void {
    for (const id of ids) this.runners.get(id)?.setEnabled(enabled);
  }

  /** Probe these checkers now instead of at their due time (FILE_CHECK's file watch does it; tests). */
  checkNow(ids: readonly string[]): void {
    for (const id of ids) this.runners.get(id)?.checkNow();
  }

  /** Probe results answered without running the checkers' machines (actors/checks/checker-runner.ts), so far. */
  get shortcuts(): number {
    let n = 0;
    for (const runner of this.runners.values()) n += runner.shortcuts;
    return n;
  }

  /** The state of a checker (tests, status). */
  isUp(id: string): boolean | undefined {
    return this.runners.get(id)?.up;
  }

  get size(): number {
    return this.runners.size;
  }

  async counters(): Promise<ProbeCounters> {
    return { ...this.stats };
  }

  async stop(): Promise<void> {
    this.remove([...this.runners.keys()]);
    this.options.prober.close();
    this.subject.complete();
  }
}
