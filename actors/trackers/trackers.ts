/**
 * The daemon's tracked objects: `vrrp_script` (ScriptTracker), `track_file` and `track_process` (PolledTracker),
 * each publishing its status to the VRRP instances that track it (`script:NAME`, `file:NAME`, `process:NAME`).
 */
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { PolledTracker, countMatching, parseTrackFile, type Observation } from './polled-tracker-runner.js';
import { ScriptTracker } from './script-tracker.js';
import type { DaemonEnvironment } from '../environment.js';

/** How often track_file and track_process look (keepalived is event driven; one second is its resolution). */
const TRACK_POLL_MS = 1000;

export type TrackSink = (id: string, up: boolean, value?: number) => void;

export class DaemonTrackers {
  private readonly scripts = new Map<string, ScriptTracker>();
  private readonly polled = new Map<string, PolledTracker>();

  constructor(
    private readonly env: DaemonEnvironment,
    private readonly track: TrackSink,
    /** script_user of global_defs, resolved. */
    private readonly scriptUser: (config: KeepalivedConfig) => Promise<{ uid: number; gid: number } | undefined>,
  ) {}

  async start(config: KeepalivedConfig): Promise<void> {
    await this.startScripts(config);
    this.startPolled(config);
  }

  /** A reload: what did not change keeps running (and its status: no flap of weights). */
  async reload(previous: KeepalivedConfig | undefined, next: KeepalivedConfig): Promise<void> {
    if (JSON.stringify(previous?.vrrpScripts ?? []) !== JSON.stringify(next.vrrpScripts)) {
      this.stopScripts();
      await this.startScripts(next);
    }
    if (JSON.stringify([previous?.trackFiles, previous?.trackProcesses]) !== JSON.stringify([next.trackFiles, next.trackProcesses])) {
      this.stopPolled();
      this.startPolled(next);
    }
  }

  stop(): void {
    this.stopScripts();
    this.stopPolled();
  }

  scriptStatuses(): { name: string; up: boolean }[] {
    return [...this.scripts.values()].map((s) => ({ name: s.spec.name, up: s.up }));
  }

  private async startScripts(config: KeepalivedConfig): Promise<void> {
    const env = this.env;
    const tracked = new Set(config.vrrpInstances.flatMap((i) => i.trackScripts.map((t) => t.name)));
    for (const s of config.vrrpScripts) {
      if (!s.script || !tracked.has(s.name)) continue;
      const tracker = new ScriptTracker(
        {
          name: s.name,
          script: s.script,
          intervalMs: s.interval * 1000,
          timeoutMs: s.timeout * 1000,
          rise: s.rise,
          fall: s.fall,
          initFail: s.initFail,
          user: s.user ? await env.resolveUser?.(s.user) : await this.scriptUser(config),
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

  /** vrrp_track_file and track_process blocks that some instance tracks become polled trackers. */
  private startPolled(config: KeepalivedConfig): void {
    const onStatus = (id: string, seen: Observation): void => {
      this.env.log.info(`${id} is ${seen.value !== undefined ? `now ${seen.value}` : seen.up ? 'up' : 'down'}`);
      this.track(id, seen.up, seen.value);
    };
    const env = { clock: this.env.clock, onStatus, inspect: this.env.inspect };
    const add = (id: string, look: () => Promise<Observation>): void => {
      const tracker = new PolledTracker(id, TRACK_POLL_MS, look, env);
      this.polled.set(id, tracker);
      tracker.start();
    };
    const trackedFiles = new Set(config.vrrpInstances.flatMap((i) => i.trackFiles.map((t) => t.name)));
    const readFile = this.env.readFile;
    for (const f of config.trackFiles) {
      if (trackedFiles.has(f.name) && readFile) add(`file:${f.name}`, async () => parseTrackFile(await readFile(f.file)));
    }
    const trackedProcesses = new Set(config.vrrpInstances.flatMap((i) => i.trackProcesses.map((t) => t.name)));
    const list = this.env.listProcesses;
    for (const p of config.trackProcesses) {
      if (!trackedProcesses.has(p.name) || !list) continue;
      add(`process:${p.name}`, async () => {
        const n = countMatching(await list(), p);
        return { up: n >= p.quorum && (p.quorumMax === undefined || n <= p.quorumMax) };
      });
    }
  }

  private stopPolled(): void {
    for (const t of this.polled.values()) t.stop();
    this.polled.clear();
  }
}
