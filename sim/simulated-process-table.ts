/**
 * The simulated host's processes, as track_process sees them (the ProcessMonitor contract of
 * transport/process-monitor.ts): the scenario starts, forks, renames, runs new programs in and kills processes,
 * and the watchers hear of each as the kernel's process events connector would tell (fork then exec for a start),
 * on the clock. A host can be made one whose kernel does not tell (`events: false`): its watchers are told why and
 * list the processes themselves. Listings answer on the clock, at the time they were asked.
 */
import type { Clock } from '../machines/clock.js';
import type { ProcessEntry, ProcessEvent, ProcessIdentity } from '../machines/process-census.js';
import type { ProcessMonitor, ProcessReads, ProcessWatch, ProcessWatchSink } from '../transport/process-monitor.js';

interface SimProcess {
  comm: string;
  /** NUL-separated, each argument followed by a NUL. */
  cmdline: string;
  zombie: boolean;
}

/** The kernel's name for a program run as argv: the base name of its file, cut to 15 bytes (TASK_COMM_LEN). */
export function commOf(program: string): string {
  return truncateComm(program.split('/').pop() ?? program);
}

function truncateComm(name: string): string {
  const bytes = new TextEncoder().encode(name);
  return bytes.length <= 15 ? name : new TextDecoder().decode(bytes.subarray(0, 15)).replace(/\uFFFD$/, '');
}

/** As /proc/PID/cmdline shows argv. */
function cmdlineOf(argv: readonly string[]): string {
  return argv.map((a) => `${a}\0`).join('');
}

/** What `reads` asks for of one process (the command line cut to its length in bytes). */
function readOf(p: SimProcess, reads: ProcessReads): ProcessIdentity {
  const out: { comm?: string; cmdline?: string } = {};
  if (reads.comm) out.comm = p.comm;
  if (reads.cmdlineBytes > 0) {
    const bytes = new TextEncoder().encode(p.cmdline);
    out.cmdline = bytes.length <= reads.cmdlineBytes ? p.cmdline : new TextDecoder().decode(bytes.subarray(0, reads.cmdlineBytes));
  }
  return out;
}

export class SimulatedProcessTable implements ProcessMonitor {
  private readonly processes = new Map<number, SimProcess>();
  private readonly watchers = new Set<{ reads: ProcessReads; sink: ProcessWatchSink }>();
  private nextPid = 1000;

  constructor(
    private readonly clock: Clock,
    /** Whether the host's kernel tells of process events (else: why not). */
    private readonly kernel: { readonly events: true } | { readonly events: false; readonly reason: string } = { events: true },
  ) {}

  // The world's side: what the scenario (or a test) does to the host's processes.

  /** A new process running `argv`, started by a process nobody watches (fork, then exec). Its PID. */
  start(argv: readonly string[]): number {
    const pid = this.nextPid++;
    this.processes.set(pid, { comm: 'sh', cmdline: cmdlineOf(['sh']), zombie: false });
    this.tell({ kind: 'fork', parent: 1, child: pid });
    this.exec(pid, argv);
    return pid;
  }

  /** Process `pid` forks: a child running what it runs. The child's PID. */
  fork(pid: number): number {
    const parent = this.alive(pid);
    const child = this.nextPid++;
    this.processes.set(child, { ...parent });
    this.tell({ kind: 'fork', parent: pid, child });
    return child;
  }

  /** Process `pid` runs `argv` now. */
  exec(pid: number, argv: readonly string[]): void {
    const p = this.alive(pid);
    p.comm = commOf(argv[0] ?? '');
    p.cmdline = cmdlineOf(argv);
    this.tellEach((reads) => ({ kind: 'exec', pid, identity: readOf(p, reads) }));
  }

  /** Process `pid` changes its name (prctl PR_SET_NAME). */
  rename(pid: number, comm: string): void {
    const p = this.alive(pid);
    p.comm = truncateComm(comm);
    this.tell({ kind: 'comm', pid, comm: p.comm });
  }

  /** Process `pid` exits; unreaped (`zombie`), it stays in the table without a command line, as the kernel shows it. */
  exit(pid: number, options: { zombie?: boolean } = {}): void {
    const p = this.alive(pid);
    this.tell({ kind: 'exit', pid });
    if (options.zombie) Object.assign(p, { zombie: true, cmdline: '' });
    else this.processes.delete(pid);
  }

  /** The PIDs of running processes whose command line is `argv`. */
  running(argv: readonly string[]): number[] {
    const cmdline = cmdlineOf(argv);
    return [...this.processes].filter(([, p]) => !p.zombie && p.cmdline === cmdline).map(([pid]) => pid);
  }

  // The contract's side.

  list(reads: ProcessReads, done: (entries: readonly ProcessEntry[]) => void): void {
    const entries = [...this.processes].filter(([, p]) => !p.zombie).map(([pid, p]) => ({ pid, ...readOf(p, reads) }));
    this.clock.setTimeout(() => done(entries), 0);
  }

  watch(reads: ProcessReads, sink: ProcessWatchSink): ProcessWatch {
    const watcher = { reads, sink };
    let open = true;
    const kernel = this.kernel;
    this.clock.setTimeout(() => {
      if (!open) return;
      if (kernel.events) {
        this.watchers.add(watcher);
        sink.ready({ events: true });
      } else sink.ready({ events: false, reason: kernel.reason });
    }, 0);
    return {
      close: () => {
        open = false;
        this.watchers.delete(watcher);
      },
    };
  }

  private alive(pid: number): SimProcess {
    const p = this.processes.get(pid);
    if (p === undefined || p.zombie) throw new Error(`no running process ${pid} on the simulated host`);
    return p;
  }

  private tell(event: ProcessEvent): void {
    this.tellEach(() => event);
  }

  /** Each watcher hears the event on the clock, in order (what an exec reads is read now, as the kernel's reader does at once). */
  private tellEach(event: (reads: ProcessReads) => ProcessEvent): void {
    for (const watcher of this.watchers) {
      const e = event(watcher.reads);
      this.clock.setTimeout(() => {
        if (this.watchers.has(watcher)) watcher.sink.event(e);
      }, 0);
    }
  }
}
