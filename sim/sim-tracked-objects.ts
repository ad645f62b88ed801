/**
 * What a simulated node's tracked objects look at, kept by the world across the node's crashes and restarts (it
 * is the host's, not the daemon's): the exit status of its programs (vrrp_script checks, notify scripts), its
 * files (track_file) and its process table (track_process). At the start every program exits 0, no file exists
 * (it reads as 0) and every tracked process runs (`quorum` of them).
 *
 * A scenario's `track NODE ID up|down` changes that world, and the trackers running in the node notice it
 * through their own interval, rise and fall, as the daemon's would:
 * - `script:NAME`: vrrp_script NAME's program now exits 0 (up) or 1 (down);
 * - `file:NAME`: track_file NAME's file now holds 0 (up), 1 (down) or the event's `value`;
 * - `process:NAME`: track_process NAME's process now runs (`quorum` copies, up) or not at all (down), or `value`
 *   copies: more are forks of a running copy (a first one is started: fork and exec), fewer are exits; the node
 *   hears of each as the kernel's process events would tell it.
 * Any other id (e.g. `interface:eth1`) is told to the node's instances at once, as before.
 */
import type { KeepalivedConfig } from '../actors/vrrp/specs-from-config.js';
import type { NodeEnvironment } from '../actors/environment.js';
import type { Clock } from '../machines/clock.js';
import { TRACK_POLL_MS } from '../actors/trackers/trackers.js';
import { scriptArgv } from '../actors/scripts/script-command.js';
import { SimulatedFiles } from './simulated-files.js';
import { SimulatedProcessRunner, type SimProcessRun } from './simulated-process-runner.js';
import { SimulatedProcessTable } from './simulated-process-table.js';

type TrackProcess = KeepalivedConfig['trackProcesses'][number];

/** The command line of a process that track_process `p` counts: its program with its parameters. */
function argvOf(p: TrackProcess): string[] {
  return [p.process, ...p.params];
}

/** As many processes as make track_process `p` up. */
function quorumOf(p: TrackProcess): number {
  const n = Math.max(1, p.quorum);
  return p.quorumMax === undefined ? n : Math.min(n, p.quorumMax);
}

export class SimTrackedObjects {
  readonly processes: SimulatedProcessRunner;
  readonly files: SimulatedFiles;
  readonly table: SimulatedProcessTable;
  /** argv of the vrrp_script checks (run every interval; not reported as script runs). */
  private readonly checks = new Set<string>();

  constructor(
    clock: Clock,
    private readonly config: KeepalivedConfig,
    /** Every run of a program that is not a vrrp_script check: notify scripts, checker notify scripts. */
    onScript: (run: SimProcessRun) => void,
  ) {
    for (const s of config.vrrpScripts) if (s.script) this.checks.add(JSON.stringify(scriptArgv(s.script)));
    this.processes = new SimulatedProcessRunner(clock, (run) => {
      if (!this.checks.has(JSON.stringify(run.argv))) onScript(run);
    });
    this.files = new SimulatedFiles(clock);
    this.table = new SimulatedProcessTable(clock);
    for (const p of config.trackProcesses) this.runCopies(p, quorumOf(p));
  }

  /** Makes `count` copies of `p`'s process run: a first one started, the others forks of a running one; the newest exit first. */
  private runCopies(p: TrackProcess, count: number): void {
    const running = this.table.running(argvOf(p));
    for (const pid of running.slice(count).reverse()) this.table.exit(pid);
    if (count <= running.length) return;
    const parent = running[0] ?? this.table.start(argvOf(p));
    for (let n = Math.max(running.length, 1); n < count; n++) this.table.fork(parent);
  }

  /** The node's environment for its tracked objects and scripts. */
  environment(): Pick<NodeEnvironment, 'processes' | 'readFile' | 'trackFileHost' | 'processMonitor'> {
    return {
      processes: this.processes,
      readFile: (path, done) => this.files.read(path, done),
      trackFileHost: this.files.host(),
      processMonitor: this.table,
    };
  }

  /** Why a `track` event cannot apply to this node (it names a block the configuration lacks), if it cannot. */
  problem(id: string, value: number | undefined): string | undefined {
    const [kind, name] = split(id);
    if (value !== undefined && kind !== 'file' && kind !== 'process') return `"value" applies to file:NAME and process:NAME only, not ${id}`;
    if (value !== undefined && kind === 'process' && value < 0) return `"value" of process:NAME is a number of processes, not ${value}`;
    if (kind === 'script' && !this.config.vrrpScripts.some((s) => s.name === name && s.script)) return `no vrrp_script ${name} with a script`;
    if (kind === 'file' && !this.config.trackFiles.some((f) => f.name === name)) return `no vrrp_track_file ${name}`;
    if (kind === 'process' && !this.config.trackProcesses.some((p) => p.name === name)) return `no track_process ${name}`;
    return undefined;
  }

  /**
   * How long after a `track` event the node's tracker has surely noticed it: a vrrp_script's runs come every
   * interval (a simulated run takes no time) and it takes rise or fall of them; files are looked at every second;
   * processes are told at once, and judged after fork_delay or terminate_delay. 0 for ids told to the instances
   * at once.
   */
  noticeMs(id: string): number {
    const [kind, name] = split(id);
    if (kind === 'script') {
      const s = this.config.vrrpScripts.find((v) => v.name === name);
      return s ? s.interval * 1000 * Math.max(s.rise, s.fall) : 0;
    }
    if (kind === 'process') {
      const p = this.config.trackProcesses.find((t) => t.name === name);
      return p ? Math.max(p.forkDelay, p.terminateDelay) * 1000 : 0;
    }
    return kind === 'file' ? TRACK_POLL_MS : 0;
  }

  /** A scenario `track` event. False when the id names no script, file or process: the caller tells the node. */
  set(id: string, up: boolean, value?: number): boolean {
    const [kind, name] = split(id);
    if (kind === 'script') {
      const script = this.config.vrrpScripts.find((s) => s.name === name)?.script;
      if (script) this.processes.setExit(scriptArgv(script), up ? 0 : 1);
      return true;
    }
    if (kind === 'file') {
      const file = this.config.trackFiles.find((f) => f.name === name);
      if (file) this.files.write(file.file, String(value ?? (up ? 0 : 1)));
      return true;
    }
    if (kind === 'process') {
      const p = this.config.trackProcesses.find((t) => t.name === name);
      if (p) this.runCopies(p, value ?? (up ? quorumOf(p) : 0));
      return true;
    }
    return false;
  }
}

function split(id: string): [string, string] {
  const colon = id.indexOf(':');
  return colon < 0 ? ['', id] : [id.slice(0, colon), id.slice(colon + 1)];
}
