/**
 * A node's tracked objects: `vrrp_script` (ScriptTracker), `track_file` (PolledTracker), `track_process`
 * (ProcessTrackers),
 * each publishing its status to the VRRP instances that track it (`script:NAME`, `file:NAME`, `process:NAME`).
 * The same code runs in the daemon and in the simulator; only what the trackers look at differs (real programs,
 * files and processes, or the simulated host's).
 */
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { PolledTracker, parseTrackFile, type Look, type Observation } from './polled-tracker-runner.js';
import { ProcessTrackers } from './process-trackers.js';
import { ScriptTracker } from './script-tracker.js';
import type { NodeEnvironment } from '../environment.js';
import { runAsOf } from '../scripts/script-command.js';

/** How often track_file looks (keepalived is event driven; one second is its resolution). */
export const TRACK_POLL_MS = 1000;

export type TrackSink = (id: string, up: boolean, value?: number) => void;

/** What the trackers need of a node's environment. */
export type TrackerEnvironment = Pick<NodeEnvironment, 'clock' | 'processes' | 'log' | 'inspect' | 'readFile' | 'trackFileHost' | 'processMonitor'>;

/**
 * The vrrp_script, track_file and track_process blocks that some instance or sync group tracks (the others never
 * run): a sync group's own tracking reaches its members (actors/vrrp/group-tracking.ts).
 */
function trackedParts(config: KeepalivedConfig): { scripts: KeepalivedConfig['vrrpScripts']; files: KeepalivedConfig['trackFiles']; processes: KeepalivedConfig['trackProcesses'] } {
  const trackers = [...config.vrrpInstances, ...config.vrrpSyncGroups];
  const scripts = new Set(trackers.flatMap((i) => i.trackScripts.map((t) => t.name)));
  const files = new Set(trackers.flatMap((i) => i.trackFiles.map((t) => t.name)));
  const processes = new Set(trackers.flatMap((i) => i.trackProcesses.map((t) => t.name)));
  return {
    scripts: config.vrrpScripts.filter((s) => s.script && scripts.has(s.name)),
    files: config.trackFiles.filter((f) => files.has(f.name)),
    processes: config.trackProcesses.filter((p) => processes.has(p.name)),
  };
}

export class NodeTrackers {
  private readonly scripts = new Map<string, ScriptTracker>();
  private readonly polled = new Map<string, PolledTracker>();
  private processes: ProcessTrackers | undefined;

  constructor(
    private readonly env: TrackerEnvironment,
    private readonly track: TrackSink,
  ) {}

  /** `config`: the runnable configuration (actors/scripts/runnable-scripts.ts): each vrrp_script with its user as ids. */
  start(config: KeepalivedConfig): void {
    this.startScripts(config);
    this.startPolled(config);
  }

  /**
   * A reload: what did not change keeps running (and its status: no flap of weights). What runs is what is
   * tracked: a block that an instance or a sync group starts (or stops) tracking counts as a change.
   */
  reload(previous: KeepalivedConfig | undefined, next: KeepalivedConfig): void {
    const before = previous ? trackedParts(previous) : { scripts: [], files: [], processes: [] };
    const after = trackedParts(next);
    if (JSON.stringify(before.scripts) !== JSON.stringify(after.scripts)) {
      this.stopScripts();
      this.startScripts(next);
    }
    if (JSON.stringify([before.files, before.processes]) !== JSON.stringify([after.files, after.processes])) {
      this.stopPolled();
      this.startPolled(next);
    }
  }

  /**
   * A reload, before its new instances start: the files the next configuration tracks are read now, so that an
   * instance the reload adds starts from its files' values (keepalived reads them before its instances run).
   */
  readFiles(next: KeepalivedConfig): void {
    const host = this.env.trackFileHost;
    if (!host || !this.env.readFile) return;
    for (const f of trackedParts(next).files) {
      const seen = parseTrackFile(host.read(f.file));
      this.track(`file:${f.name}`, seen.up, seen.value);
    }
  }

  stop(): void {
    this.stopScripts();
    this.stopPolled();
  }

  scriptStatuses(): { name: string; up: boolean }[] {
    return [...this.scripts.values()].map((s) => ({ name: s.spec.name, up: s.up }));
  }

  private startScripts(config: KeepalivedConfig): void {
    const env = this.env;
    for (const s of trackedParts(config).scripts) {
      const user = runAsOf(s);
      if (user === 'unresolved') {
        env.log.warn(`vrrp_script ${s.name}: user ${s.user} was never resolved; not run`);
        continue;
      }
      const tracker = new ScriptTracker(
        {
          name: s.name,
          script: s.script,
          intervalMs: s.interval * 1000,
          timeoutMs: s.timeout * 1000,
          rise: s.rise,
          fall: s.fall,
          initFail: s.initFail,
          user,
        },
        {
          clock: env.clock,
          runner: env.processes,
          inspect: env.inspect,
          onStatus: (name, up) => {
            env.log.info(`VRRP_Script(${name}) ${up ? 'succeeded' : 'failed'}`);
            this.track(`script:${name}`, up);
          },
        },
      );
      this.scripts.set(s.name, tracker);
      tracker.start();
    }
  }

  private stopScripts(): void {
    for (const s of this.scripts.values()) s.stop();
    this.scripts.clear();
  }

  /** vrrp_track_file blocks that some instance tracks become polled trackers; track_process blocks, process trackers. */
  private startPolled(config: KeepalivedConfig): void {
    const onStatus = (id: string, seen: Observation): void => {
      this.env.log.info(`${id} is ${seen.value !== undefined ? `now ${seen.value}` : seen.up ? 'up' : 'down'}`);
      this.track(id, seen.up, seen.value);
    };
    const env = { clock: this.env.clock, onStatus, inspect: this.env.inspect };
    const add = (id: string, look: Look, initial?: Observation): void => {
      const tracker = new PolledTracker(id, TRACK_POLL_MS, look, env, initial);
      this.polled.set(id, tracker);
      tracker.start();
    };
    const { files, processes } = trackedParts(config);
    const readFile = this.env.readFile;
    const host = this.env.trackFileHost;
    if (readFile) {
      for (const f of files) {
        const id = `file:${f.name}`;
        // keepalived reads every tracked file before its instances start (init_track_files): their first priority
        // already holds the file's value, and a file that puts one in FAULT keeps it from ever being BACKUP.
        const initial = host ? parseTrackFile(host.read(f.file)) : undefined;
        if (initial) onStatus(id, initial);
        add(id, (done) => readFile(f.file, (text) => done(parseTrackFile(text)))?.then(parseTrackFile), initial);
      }
    }
    const monitor = this.env.processMonitor;
    if (monitor && processes.length > 0) {
      const { clock, log, inspect } = this.env;
      this.processes = new ProcessTrackers(processes, { clock, monitor, log, inspect, onStatus: (name, up) => this.track(`process:${name}`, up) }, config.globalDefs.processMonitorRcvBufs, config.globalDefs.processMonitorRcvBufsForce);
      this.processes.start();
    }
  }

  private stopPolled(): void {
    for (const t of this.polled.values()) t.stop();
    this.polled.clear();
    this.processes?.stop();
    this.processes = undefined;
  }
}
