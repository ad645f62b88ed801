/**
 * Runs a node's scripts: notify scripts of every kind through a bounded pool, and the few that run at once
 * whatever runs (a notify FIFO's reader, the startup and shutdown scripts).
 *
 * keepalived forks one process per notification and never bounds them, so a peer that flaps (or a master that keeps
 * hearing a lower priority: notify_master_rx_lower_pri runs on every such advertisement) can fork without end. Here
 * at most `maxRunning` notify scripts run at once; the next ones wait their turn, in order; when `maxWaiting`
 * already wait, the oldest waiting one is dropped and counted (the newest news wins: after a flap, the script for
 * the state the instance is in now still runs). vrrp_script and MISC_CHECK are not in the pool: each runs at most
 * once at a time by construction (its tracker or checker waits for it).
 *
 * When vigil stops, running notify scripts are terminated (keepalived sends them SIGTERM), the waiting ones
 * dropped, and those the stop itself starts (notify_stop, the omega notifications) run to their end or their
 * timeout: `idle()` says when they are done.
 */
import { runProcess, type ProcessOutcome, type ProcessRunner } from '../../transport/process-runner.js';
import type { RunAs } from '../environment.js';
import { runAsOf, scriptArgv, type ScriptOwner } from './script-command.js';

export interface ScriptJob {
  /** A script of the runnable configuration (actors/scripts/runnable-scripts.ts): its user is already ids. */
  readonly script: ScriptOwner & { readonly command: string };
  /** Arguments after the script's own (a `notify` script's INSTANCE name state priority). */
  readonly args?: readonly string[] | undefined;
  /** Killed after this long (Infinity: a FIFO's reader, which runs as long as its FIFO). */
  readonly timeoutMs: number;
  /** What it is, for the log: `instance VI_1 notify_master`. */
  readonly what: string;
  /** Started by vigil's stop (notify_stop, the omega notifications): runs on while vigil stops. */
  readonly stopping?: boolean | undefined;
}

export interface ScriptLimits {
  readonly maxRunning: number;
  readonly maxWaiting: number;
}

/** A node's bound: enough for every instance of a large node to notify at once, too few to exhaust the host. */
export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { maxRunning: 32, maxWaiting: 1024 };

export interface ScriptRunStats {
  readonly running: number;
  readonly waiting: number;
  /** Notify scripts started since vigil started. */
  readonly started: number;
  /** Notify scripts dropped: the oldest waiting when too many waited, and those still waiting when vigil stopped. */
  readonly dropped: number;
  /** The most notify scripts that ran at once. */
  readonly peak_running: number;
  /** Scripts the configuration last loaded refuses to run (each said in the log at load). */
  readonly refused: number;
}

export interface RunningScript {
  /** SIGTERM, then SIGKILL: the reader of a FIFO that closes, a script that vigil's stop ends. */
  stop(): void;
}

export interface ScriptLog {
  info(message: string): void;
  warn(message: string): void;
}

interface Run {
  readonly job: ScriptJob;
  readonly argv: readonly string[];
  readonly user: RunAs | undefined;
  readonly abort: AbortController;
  /** Stopped by vigil: how it ends is not news. */
  stopped: boolean;
}

export class ScriptRunner {
  private readonly running = new Set<Run>();
  private readonly waiting: ScriptJob[] = [];
  private started = 0;
  private dropped = 0;
  private peak = 0;
  private refused = 0;
  private overflowing = false;
  private readonly unresolvedSaid = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly processes: ProcessRunner,
    private readonly log: ScriptLog,
    private readonly limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS,
  ) {}

  /** A notification: runs now when fewer than maxRunning run, else waits its turn. */
  notify(job: ScriptJob): void {
    if (this.running.size < this.limits.maxRunning) {
      this.launch(job);
      return;
    }
    if (this.waiting.length >= this.limits.maxWaiting) {
      const oldest = this.waiting.shift()!;
      this.dropped++;
      if (!this.overflowing) {
        this.log.warn(`${this.limits.maxRunning} scripts run and ${this.limits.maxWaiting} wait: the oldest waiting (${oldest.what}) is dropped, and so on until the queue drains`);
      }
      this.overflowing = true;
    }
    this.waiting.push(job);
  }

  /** Runs at once, outside the pool: a FIFO's reader, the startup and shutdown scripts. */
  start(job: ScriptJob, done?: (outcome: ProcessOutcome | undefined) => void): RunningScript {
    const run = this.prepare(job);
    if (run === undefined) {
      done?.(undefined);
      return { stop: () => {} };
    }
    this.exec(run, (outcome) => done?.(outcome));
    return {
      stop: () => {
        run.stopped = true;
        run.abort.abort();
      },
    };
  }

  /** vigil stops: running notify scripts are terminated and waiting ones dropped, but for those of the stop itself. */
  terminate(): void {
    // The waiting go first: an aborted run frees its place at once, and none of them may take it.
    const keep = this.waiting.filter((j) => j.stopping);
    this.dropped += this.waiting.length - keep.length;
    this.waiting.splice(0, this.waiting.length, ...keep);
    for (const run of [...this.running]) {
      if (run.job.stopping) continue;
      run.stopped = true;
      run.abort.abort();
    }
  }

  /**
   * Ends every script, those the stop started too (global_defs child_wait_time has run out): the waiting dropped,
   * the running sent SIGTERM (then SIGKILL).
   */
  terminateAll(): void {
    this.dropped += this.waiting.length;
    this.waiting.splice(0, this.waiting.length);
    for (const run of [...this.running]) {
      run.stopped = true;
      run.abort.abort();
    }
  }

  /** Resolves once no notify script runs or waits. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** How many scripts the configuration just loaded refuses to run. */
  setRefused(count: number): void {
    this.refused = count;
  }

  stats(): ScriptRunStats {
    return {
      running: this.running.size,
      waiting: this.waiting.length,
      started: this.started,
      dropped: this.dropped,
      peak_running: this.peak,
      refused: this.refused,
    };
  }

  private launch(job: ScriptJob): void {
    const run = this.prepare(job);
    if (run === undefined) return;
    this.running.add(run);
    this.started++;
    this.peak = Math.max(this.peak, this.running.size);
    this.exec(run, () => {
      this.running.delete(run);
      this.next();
    });
  }

  private next(): void {
    while (this.running.size < this.limits.maxRunning && this.waiting.length > 0) this.launch(this.waiting.shift()!);
    if (this.waiting.length === 0) this.overflowing = false;
    if (this.running.size === 0 && this.waiting.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** The run of a job, or undefined when the script may not run. */
  private prepare(job: ScriptJob): Run | undefined {
    const user = runAsOf(job.script);
    if (user === 'unresolved') {
      if (!this.unresolvedSaid.has(job.what)) this.log.warn(`${job.what}: ${job.script.command}: user ${job.script.user} was never resolved; not run`);
      this.unresolvedSaid.add(job.what);
      return undefined;
    }
    return { job, argv: scriptArgv(job.script.command, job.args), user, abort: new AbortController(), stopped: false };
  }

  private exec(run: Run, done: (outcome: ProcessOutcome) => void): void {
    const { job, argv, user } = run;
    runProcess(this.processes, { argv, timeoutMs: job.timeoutMs, user, signal: run.abort.signal }, (outcome) => {
      if (!run.stopped) this.report(job, argv[0] ?? '', outcome);
      done(outcome);
    });
  }

  private report(job: ScriptJob, program: string, outcome: ProcessOutcome): void {
    const { what, timeoutMs } = job;
    if (outcome.kind === 'exited' && outcome.code === 0) return;
    if (outcome.kind === 'timeout') this.log.warn(`${what}: ${program} timed out after ${timeoutMs} ms and was killed`);
    else if (outcome.kind === 'exited') this.log.warn(`${what}: ${program} exited with status ${outcome.code}`);
    else if (outcome.kind === 'signalled') this.log.warn(`${what}: ${program} was killed by ${outcome.signal}`);
    else this.log.warn(`${what}: cannot run ${program}: ${outcome.error}`);
  }
}
