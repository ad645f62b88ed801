/**
 * The process-level keywords on a real host, as keepalived 2.2.7 applies them (core/main.c, core/global_parser.c,
 * core/namespaces.c):
 * - `umask` (or `-u`, which wins): the file creation mask, 0177 unless set; set again by a reload.
 * - `instance`, `use_pid_dir`, `net_namespace`: where the pid file goes (actors/daemon/process-names.ts), claimed
 *   once the configuration is read, as keepalived does.
 * - `net_namespace NAME`: vigil runs itself again, with the same pid, under `ip netns exec NAME` (setns into
 *   /run/netns/NAME, and a mount namespace with that namespace's /sys), before it opens a socket the
 *   configuration needs. keepalived setns()es itself; a thread cannot join a mount namespace in a process that
 *   has other threads, as Node has. It cannot change on reload.
 * - `vrrp_rt_priority`: vigil runs itself again, same pid, with Node's `--single-threaded-gc`
 *   (actors/daemon/node-flags.ts), in the same run again as net_namespace's when both apply. Not changed by a reload.
 * - `reload_file`: created (mode 0644) while a reload reads the files, removed once they are read.
 * - `reload_check_config [LOG_FILE]`: what the reading of a reload found, in LOG_FILE.
 * - `config_save_dir DIR` (made 0700 when missing): each configuration read, as vigil understood it
 *   (`vigil.conf.PID.N`, keepalived's `keepalived.conf.PID.N` is its preprocessed text), and the data dump before
 *   and after each reload (`vigil_vrrp.PID.N.pre` / `.post`, keepalived's `keepalived_vrrp.PID.N.pre` / `.post`).
 */
import { chmodSync, closeSync, constants, existsSync, fchmodSync, fstatSync, mkdirSync, openSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderConfig } from '../../config/render.js';
import type { DaemonStatus } from '../status.js';
import { formatDataDump } from './dumps.js';
import { inNetworkNamespace, runAgainWithNodeFlags, runInNetworkNamespace } from '../../transport/real/net-namespace.js';
import { missingNodeFlags, nodeFlagsFor } from './node-flags.js';
import { DEFAULT_UMASK } from '../../config/umask.js';
import { claimPidFile, PidFileError, releasePidFile } from '../../transport/real/pid-file.js';
import type { DaemonLog, ProcessHooks, ReadOutcome } from '../environment.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { pidDirectory, pidFilePath, reloadFilePath, vrrpThreadName } from './process-names.js';
import type { ApplyThreadScheduling } from '../../transport/thread-scheduling.js';

/** A process-level setting that cannot be applied: the daemon does not start (one line, no stack). */
export class ProcessSettingError extends Error {}

/** Set in the environment of the vigil that `ip netns exec` runs: it must find itself in the namespace. */
export const NETNS_MARKER = 'VIGIL_NET_NAMESPACE';
/** Set in the environment of the vigil run again with the Node flags its configuration wants: it must have them. */
export const NODE_FLAGS_MARKER = 'VIGIL_NODE_FLAGS';

export interface ProcessControlOptions {
  /** `-p`: the pid file given on the command line (wins over the configuration's names). */
  readonly pidFile?: string | undefined;
  /** `-u` / `--umask`: wins over the configuration's umask. */
  readonly umask?: number | undefined;
  /** The environment vigil was started with (before NOTIFY_SOCKET was taken from it): what a re-run gets. */
  readonly environment: NodeJS.ProcessEnv;
  readonly log: Pick<DaemonLog, 'info' | 'warn'>;
  /** Called just before the process is replaced (net_namespace): what the log holds is written. */
  readonly beforeExec?: (() => void) | undefined;
  /** Applies settings to the calling thread (the VRRP thread's name on reload). */
  readonly applyScheduling: ApplyThreadScheduling;
}

export class ProcessControl implements ProcessHooks {
  private pidFile: string | undefined;
  private savedConfigs = 0;
  /** The VRRP thread's name as last set. */
  private threadName: string | undefined;
  private savedReloads = 0;
  /** Directories made for the pid file, removed at stop when empty (keepalived's remove_pid_dir). */
  private readonly madeDirs: string[] = [];
  private started: KeepalivedConfig | undefined;

  constructor(private readonly options: ProcessControlOptions) {
    process.umask(options.umask ?? DEFAULT_UMASK);
  }

  configured(config: KeepalivedConfig, phase: 'start' | 'reload'): void {
    const g = config.globalDefs;
    if (this.options.umask === undefined && g.umask !== undefined) process.umask(g.umask);
    else if (g.umask !== undefined && phase === 'start') this.options.log.info('umask: the command line option wins over the configuration');
    const dir = this.saveDirectory(config);
    if (dir !== undefined) this.writeFile('config_save_dir', join(dir, `vigil.conf.${process.pid}.${this.savedConfigs++}`), renderConfig(config));
    if (phase === 'reload') {
      const before = this.started?.globalDefs;
      // keepalived renames itself on reload when process_name changed; here the VRRP (main) thread.
      const name = vrrpThreadName(g);
      if (name !== undefined && name !== this.threadName) {
        for (const failure of this.options.applyScheduling({ name })) this.options.log.warn(`VRRP thread: ${failure}`);
      }
      this.threadName = name ?? this.threadName;
      for (const [keyword, was, now] of [
        ['net_namespace', before?.netNamespace, g.netNamespace],
        ['instance', before?.instance, g.instance],
      ] as const) {
        if (was !== now) this.options.log.warn(`${keyword} cannot change on a reload (${was ?? 'none'} stays); restart vigil for ${now ?? 'none'}`);
      }
      const missing = missingNodeFlags(nodeFlagsFor(g));
      if (missing.length > 0) this.options.log.warn(`vrrp_rt_priority: Node's ${missing.join(' ')} is set at start only; restart vigil for it`);
      return;
    }
    this.started = config;
    // The daemon names the VRRP thread with the rest of its scheduling at start.
    this.threadName = vrrpThreadName(g);
    const missing = missingNodeFlags(nodeFlagsFor(g));
    if (g.netNamespace !== undefined) this.enterNamespace(g.netNamespace, missing);
    if (missing.length > 0) this.runWithNodeFlags(missing);
    this.claimPidFile(config);
  }

  reading(running: KeepalivedConfig): (outcome: ReadOutcome) => void {
    const g = running.globalDefs;
    const path = reloadFilePath(g);
    const made = path !== undefined && this.writeFile('reload_file', path, '');
    // reload_check_config [LOG_FILE]: keepalived runs its config test into LOG_FILE (/dev/null without one,
    // truncated first) and reloads only when it passes; vigil judges the files itself, with the same result.
    const checkLog = g.reloadCheckConfig === undefined ? undefined : g.reloadCheckConfig === true ? '/dev/null' : g.reloadCheckConfig;
    if (checkLog !== undefined && checkLog !== '/dev/null') this.writeFile('reload_check_config', checkLog, '');
    return (outcome) => {
      if (made) {
        try {
          unlinkSync(path);
        } catch {
          // removed by someone else meanwhile
        }
      }
      if (checkLog === undefined) return;
      if (!outcome.ok) this.options.log.warn(`new configuration failed validation, see ${checkLog} for details`);
      if (checkLog === '/dev/null') return;
      const lines = outcome.ok ? outcome.warnings : [outcome.error];
      if (lines.length > 0) this.writeFile('reload_check_config', checkLog, lines.map((l) => `${l}\n`).join(''));
    };
  }

  /**
   * Writes a file rw-r--r-- whatever the umask (truncating one that is there); says why not. Only a regular file
   * is written: the open never blocks (O_NONBLOCK: a FIFO planted at the path without a reader would otherwise
   * hold the VRRP thread for ever) and a FIFO, device or socket found there is left alone (issue 13, dump files).
   */
  private writeFile(keyword: string, path: string, text: string): boolean {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
      try {
        if (!fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file, left alone' });
        fchmodSync(fd, 0o644);
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (err) {
      this.options.log.warn(`${keyword} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return false;
    }
  }

  /** config_save_dir: the data dump before a reload (`pre`) or after it (`post`), numbered by reload. */
  saveReloadState(running: KeepalivedConfig | undefined, when: 'pre' | 'post', status: DaemonStatus): void {
    const dir = running === undefined ? undefined : this.saveDirectory(running);
    if (dir === undefined) return;
    if (when === 'pre') this.savedReloads++;
    this.writeFile('config_save_dir', join(dir, `vigil_vrrp.${process.pid}.${this.savedReloads}.${when}`), formatDataDump(status));
  }

  /** The configuration's config_save_dir, made (0700, not its parents) when missing; undefined when unusable. */
  private saveDirectory(config: KeepalivedConfig): string | undefined {
    const dir = config.globalDefs.configSaveDir?.replace(/(.)\/$/, '$1');
    if (dir === undefined) return undefined;
    try {
      mkdirSync(dir, { mode: 0o700 });
      // rwx------ whatever the umask (keepalived's 0177 would leave it rw-------).
      chmodSync(dir, 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        this.options.log.warn(`config_save_dir ${dir}: cannot be made (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        return undefined;
      }
    }
    return dir;
  }

  /** Removes the pid file this daemon made (not another daemon's). */
  release(): void {
    if (this.pidFile !== undefined) releasePidFile(this.pidFile);
    for (const dir of [...this.madeDirs].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // not empty (another daemon's files), or gone
      }
    }
  }

  private claimPidFile(config: KeepalivedConfig): void {
    const g = config.globalDefs;
    const path = pidFilePath(g, this.options.pidFile);
    if (this.options.pidFile === undefined && pidDirectory(g) !== undefined) {
      // keepalived makes its pid directory rwxr-xr-x whatever the umask (and /run/keepalived/NS under a namespace).
      for (const dir of [dirname(dirname(path)), dirname(path)]) {
        if (dir.startsWith('/run/vigil') && !existsSync(dir)) {
          mkdirSync(dir, { mode: 0o755 });
          chmodSync(dir, 0o755);
          this.madeDirs.push(dir);
        }
      }
    }
    try {
      claimPidFile(path);
    } catch (err) {
      if (err instanceof PidFileError) throw new ProcessSettingError(err.message);
      throw err;
    }
    this.pidFile = path;
  }

  /**
   * Runs vigil again, same pid, with the Node flags its configuration wants (actors/daemon/node-flags.ts); when that
   * fails it goes on without them, saying so: they make it better, not possible.
   */
  private runWithNodeFlags(flags: readonly string[]): void {
    const wanted = flags.join(' ');
    if (process.env[NODE_FLAGS_MARKER] !== undefined) {
      this.options.log.warn(`vrrp_rt_priority: still without Node's ${wanted} after running again; going on without`);
      return;
    }
    this.options.log.info(`vrrp_rt_priority: running again with Node's ${wanted}`);
    this.options.beforeExec?.();
    const problem = runAgainWithNodeFlags(flags, { ...this.options.environment, [NODE_FLAGS_MARKER]: wanted });
    this.options.log.warn(`vrrp_rt_priority: cannot run again with Node's ${wanted} (${problem}); going on without`);
  }

  /** Runs vigil again in the namespace (never returns), unless it is there already; with `nodeFlags` added to Node's. */
  private enterNamespace(name: string, nodeFlags: readonly string[]): void {
    let inside: boolean;
    try {
      inside = inNetworkNamespace(name);
    } catch (err) {
      throw new ProcessSettingError(`net_namespace ${name}: /run/netns/${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)} (create it with ip netns add ${name})`);
    }
    if (inside) return;
    if (process.env[NETNS_MARKER] === name) throw new ProcessSettingError(`net_namespace ${name}: still not in the namespace after ip netns exec`);
    this.options.log.info(`net_namespace ${name}: running again in the namespace`);
    this.options.beforeExec?.();
    // The Node flags the configuration wants come along (one run again for both).
    const marked = nodeFlags.length > 0 ? { [NODE_FLAGS_MARKER]: nodeFlags.join(' ') } : {};
    const problem = runInNetworkNamespace(name, { ...this.options.environment, [NETNS_MARKER]: name, ...marked }, nodeFlags);
    throw new ProcessSettingError(`net_namespace ${name}: ${problem}`);
  }
}
