/**
 * What track_process looks at: the host's processes, the contract. The real monitor hears the kernel's process
 * events connector (fork, exec, name change, exit: transport/real/proc-connector.ts) and lists /proc; the
 * simulated host tells the same of its own processes (sim/simulated-process-table.ts). Where the kernel will not
 * tell (no CONFIG_PROC_EVENTS, not the host's first network namespace, no CAP_NET_ADMIN), `ready` says so with
 * the reason and no event comes: the caller lists the processes itself, as often as it wants.
 */
import type { ProcessEntry, ProcessEvent } from '../machines/process-census.js';

export type { ProcessEntry, ProcessEvent };

/** What is read of each process, for a listing and at an exec: its name, and so many bytes of its command line (0: none). */
export interface ProcessReads {
  readonly comm: boolean;
  readonly cmdlineBytes: number;
}

export type WatchMode = { readonly events: true } | { readonly events: false; readonly reason: string };

export interface ProcessWatchSink {
  /** Called once, first: whether events will come, or why not. */
  ready(mode: WatchMode): void;
  /** One event, in the order the kernel told it; threads are not told (only processes). */
  event(event: ProcessEvent): void;
  /** Events were lost (`detail` says how): what is known may be wrong until the next listing. */
  lost(detail: string): void;
}

export interface ProcessWatch {
  /** No more calls to the sink after this. */
  close(): void;
}

export interface WatchOptions {
  /** global_defs process_monitor_rcv_bufs: the receive buffer for events, in bytes (the system's when absent). */
  readonly receiveBufferBytes?: number | undefined;
  /** global_defs process_monitor_rcv_bufs_force: set with SO_RCVBUFFORCE (past net.core.rmem_max). */
  readonly receiveBufferForce?: boolean | undefined;
}

export interface ProcessMonitor {
  watch(reads: ProcessReads, sink: ProcessWatchSink, options?: WatchOptions): ProcessWatch;
  /** Every process running now, zombies left out; `done` is called once (on the clock, in the simulator). */
  list(reads: ProcessReads, done: (entries: readonly ProcessEntry[]) => void): void;
}
