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
 * - `process:NAME`: track_process NAME's process now runs (`quorum` copies, up) or not at all (down).
 * Any other id (e.g. `interface:eth1`) is told to the node's instances at once, as before.
 */
import type { KeepalivedConfig } from '../actors/vrrp/specs-from-config.js';
import type { NodeEnvironment, ProcessEntry } from '../actors/environment.js';
import type { Clock } from '../machines/clock.js';
import { TRACK_POLL_MS } from '../actors/trackers/trackers.js';
import { scriptArgv } from '../actors/scripts/script-command.js';
import { SimulatedFiles } from './simulated-files.js';
import { SimulatedProcessRunner, type SimProcessRun } from './simulated-process-runner.js';
import { SimulatedProcessTable } from './simulated-process-table.js';

type TrackProcess = KeepalivedConfig['trackProcesses'][number];

/** Processes that track_process `p` counts: `count` copies of its program with its parameters. */
function processesOf(p: TrackProcess, count: number): ProcessEntry[] {
  const comm = p.process.split('/').pop() ?? p.process;
  return Array.from({ length: count }, () => ({ comm, argv: [p.process, ...p.params] }));
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
    for (const p of config.trackProcesses) this.table.set(p.name, processesOf(p, quorumOf(p)));
  }

  /** The node's environment for its tracked objects and scripts. */
  environment(): Pick<NodeEnvironment, 'processes' | 'readFile' | 'listProcesses'> {
    return {
      processes: this.processes,
      readFile: (path, done) => this.files.read(path, done),
      listProcesses: (done) => this.table.list(done),
    };
  }

  /** Why a `track` event cannot apply to this node (it names a block the configuration lacks), if it cannot. */
  problem(id: string, value: number | undefined): string | undefined {
    const [kind, name] = split(id);
    if (value !== undefined && kind !== 'file') return `"value" applies to file:NAME only, not ${id}`;
    if (kind === 'script' && !this.config.vrrpScripts.some((s) => s.name === name && s.script)) return `no vrrp_script ${name} with a script`;
    if (kind === 'file' && !this.config.trackFiles.some((f) => f.name === name)) return `no vrrp_track_file ${name}`;
    if (kind === 'process' && !this.config.trackProcesses.some((p) => p.name === name)) return `no track_process ${name}`;
    return undefined;
  }

  /**
   * How long after a `track` event the node's tracker has surely noticed it: a vrrp_script's runs come every
   * interval (a simulated run takes no time) and it takes rise or fall of them; files and processes are looked at
   * every second. 0 for ids told to the instances at once.
   */
  noticeMs(id: string): number {
    const [kind, name] = split(id);
    if (kind === 'script') {
      const s = this.config.vrrpScripts.find((v) => v.name === name);
      return s ? s.interval * 1000 * Math.max(s.rise, s.fall) : 0;
    }
    return kind === 'file' || kind === 'process' ? TRACK_POLL_MS : 0;
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
      if (p) this.table.set(p.name, up ? processesOf(p, quorumOf(p)) : []);
      return true;
    }
    return false;
  }
}

function split(id: string): [string, string] {
  const colon = id.indexOf(':');
  return colon < 0 ? ['', id] : [id.slice(0, colon), id.slice(colon + 1)];
}
