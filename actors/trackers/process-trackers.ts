/**
 * A node's `track_process` blocks at run time, as keepalived runs them: the processes are listed once, then kept
 * up to date from the kernel's process events (fork, exec, name change, exit) through the process monitor; each
 * block's count goes to its tracked-process machine (machines/tracked-process.ts: quorum, quorum_max, fork_delay,
 * terminate_delay), whose status changes are reported to the instances.
 *
 * Where the kernel will not tell of process events (the monitor says why: e.g. vigil runs in a network namespace
 * other than the host's first one), keepalived's track_process does not work at all; vigil says so in the log and
 * lists the processes every second instead, a grown count being judged as after a fork and a shrunk one as after
 * an exit. When events were lost, the processes are listed again a second later (keepalived's reinitialise: a
 * quorum gained meanwhile counts at once, one lost after terminate_delay).
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Clock, TimerId } from '../../machines/clock.js';
import { ProcessCensus, type ProcessEntry, type ProcessEvent, type CountChange } from '../../machines/process-census.js';
import { cmdlineBytesFor, needsComm, type ProcessMatchSpec } from '../../machines/process-match.js';
import { QUORUM_MAX_UNBOUNDED, trackedProcessMachine } from '../../machines/tracked-process.js';
import type { ProcessMonitor, ProcessReads, ProcessWatch, WatchMode } from '../../transport/process-monitor.js';
import type { TrackProcess } from '../../config/model.js';
import type { DaemonLog } from '../environment.js';

/** How often the processes are listed where no events come, and how long after lost events they are listed again. */
export const PROCESS_POLL_MS = 1000;

/** The longest process name (comm) the kernel keeps: TASK_COMM_LEN less its NUL. */
const COMM_MAX = 15;

export interface ProcessTrackerEnvironment {
  readonly clock: Clock;
  readonly monitor: ProcessMonitor;
  readonly log: DaemonLog;
  readonly inspect?: ((event: InspectionEvent) => void) | undefined;
  /** A block's status changed (the first listing reports every block's). */
  readonly onStatus: (name: string, up: boolean) => void;
}

/** The matching part of a block, as the configuration finalized it. */
export function matchSpecOf(p: TrackProcess): ProcessMatchSpec {
  return { process: p.process, params: p.params, paramMatch: p.paramMatch, fullCommand: p.fullCommand };
}

export class ProcessTrackers {
  private readonly actors = new Map<string, Actor<typeof trackedProcessMachine>>();
  private readonly census: ProcessCensus;
  private readonly reads: ProcessReads;
  private watch: ProcessWatch | undefined;
  /** Events that came while a listing was being read: applied after it. Undefined: no listing in flight. */
  private pending: ProcessEvent[] | undefined;
  private listings = 0;
  private listed = false;
  private following: 'starting' | 'events' | 'polling' = 'starting';
  private timer: TimerId | undefined;
  private stopped = false;

  constructor(
    private readonly blocks: readonly TrackProcess[],
    private readonly env: ProcessTrackerEnvironment,
    /** global_defs process_monitor_rcv_bufs. */
    private readonly receiveBufferBytes?: number | undefined,
    /** global_defs process_monitor_rcv_bufs_force: SO_RCVBUFFORCE, past net.core.rmem_max. */
    private readonly receiveBufferForce?: boolean | undefined,
  ) {
    const specs = new Map(blocks.map((b) => [b.name, matchSpecOf(b)]));
    this.census = new ProcessCensus(specs);
    this.reads = { comm: needsComm([...specs.values()]), cmdlineBytes: cmdlineBytesFor([...specs.values()]) };
  }

  /** How the processes are followed: 'events', 'polling', or 'starting' until the monitor has said. */
  get mode(): 'starting' | 'events' | 'polling' {
    return this.following;
  }

  count(name: string): number {
    return this.census.count(name);
  }

  start(): void {
    if (this.blocks.length === 0) return;
    for (const b of this.blocks) {
      if (!b.fullCommand && new TextEncoder().encode(b.process).length > COMM_MAX) {
        this.env.log.warn(`track_process ${b.name}: process name '${b.process}' is longer than a process name can be (${COMM_MAX} bytes): without full_command it matches no process, as in keepalived`);
      }
      const machine = trackedProcessMachine.provide({
        actions: {
          report: (_, params) => {
            this.env.log.info(`Quorum ${params.up ? 'gained' : 'lost'} for tracked process ${b.name} (${params.count} running)`);
            this.env.onStatus(b.name, params.up);
          },
        },
      });
      const actor = createActor(machine, {
        input: {
          name: b.name,
          quorum: b.quorum,
          quorumMax: b.quorumMax ?? QUORUM_MAX_UNBOUNDED,
          forkDelayMs: Math.round(b.forkDelay * 1000),
          terminateDelayMs: Math.round(b.terminateDelay * 1000),
        },
        clock: this.env.clock,
        inspect: this.env.inspect,
        id: `process:${b.name}`,
      });
      this.actors.set(b.name, actor);
      actor.start();
    }
    // Events that come before the first listing is in are applied after it.
    this.pending = [];
    this.watch = this.env.monitor.watch(this.reads, {
      ready: (mode) => this.ready(mode),
      event: (event) => {
        if (this.stopped) return;
        if (this.pending) this.pending.push(event);
        else this.changed(this.census.apply(event));
      },
      lost: (detail) => {
        if (this.stopped) return;
        this.env.log.warn(`track_process: ${detail}; listing the processes again in ${PROCESS_POLL_MS / 1000} s`);
        this.relistIn(PROCESS_POLL_MS);
      },
    }, { receiveBufferBytes: this.receiveBufferBytes, receiveBufferForce: this.receiveBufferForce });
  }

  stop(): void {
    this.stopped = true;
    this.watch?.close();
    if (this.timer !== undefined) this.env.clock.clearTimeout(this.timer);
    for (const actor of this.actors.values()) actor.stop();
    this.actors.clear();
  }

  private ready(mode: WatchMode): void {
    if (this.stopped) return;
    this.following = mode.events ? 'events' : 'polling';
    if (mode.events) this.env.log.info('track_process: following processes through the kernel\'s process events connector');
    else {
      this.env.log.warn(`track_process: ${mode.reason}; keepalived's track_process would not work here: vigil lists /proc every ${PROCESS_POLL_MS / 1000} s instead`);
    }
    this.list();
  }

  private relistIn(ms: number): void {
    if (this.timer !== undefined) this.env.clock.clearTimeout(this.timer);
    this.timer = this.env.clock.setTimeout(() => {
      this.timer = undefined;
      this.list();
    }, ms);
  }

  private list(): void {
    this.pending ??= [];
    this.listings++;
    this.env.monitor.list(this.reads, (entries: readonly ProcessEntry[]) => {
      if (this.stopped) return;
      this.listings--;
      const changes = this.census.rescan(entries, this.following === 'polling' ? 'fork' : 'change');
      if (!this.listed) {
        this.listed = true;
        for (const [name, actor] of this.actors) actor.send({ type: 'LISTED', count: this.census.count(name) });
      } else this.changed(changes);
      // Every event since the oldest listing still being read is applied after the newest (applying one again is harmless).
      if (this.listings === 0) {
        const queued = this.pending ?? [];
        this.pending = undefined;
        for (const event of queued) this.changed(this.census.apply(event));
      }
      if (this.following === 'polling') this.relistIn(PROCESS_POLL_MS);
    });
  }

  private changed(changes: readonly CountChange[]): void {
    for (const change of changes) this.actors.get(change.name)?.send({ type: 'COUNT', count: change.count, cause: change.cause });
  }
}
