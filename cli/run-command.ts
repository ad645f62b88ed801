/**
 * `vigil run -f FILE` (and keepalived's spelling `vigil -f FILE`): the daemon in the foreground, logging to stderr.
 * Flags as keepalived has them; those that make no sense for a foreground actor system are accepted as no-ops.
 * Signals as keepalived: HUP reloads, TERM/INT stop gracefully, USR1 writes the data dump (and the JSON dump),
 * USR2 the stats dump.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync, constants as fsConstants } from 'node:fs';
import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { VigilDaemon, type DaemonLog } from '../actors/daemon/daemon.js';
import { ConfigLoadError } from '../config/load.js';
import { RealClock } from '../transport/real/real-clock.js';
import { DeferredPinoLog } from './deferred-log.js';
import { addObservationOptions, observationFromOptions, type ObservationCliOptions } from './http-option.js';
import { applyThreadScheduling } from '../transport/real/thread-scheduling.js';

export const DEFAULT_STATUS_SOCKET = '/run/vigil/vigil.sock';
export const DEFAULT_PID_FILE = '/run/vigil.pid';

interface RunOptions extends ObservationCliOptions {
  useFile: string;
  pid: string;
  configId?: string;
  statusSocket: string;
  logDetail?: boolean;
  logConsole?: boolean;
  vrrp?: boolean;
  check?: boolean;
  dontFork?: boolean;
  routerId?: string;
  strict?: boolean;
}

/** Set once the daemon's log exists: what it holds is written before a failure's line. */
let flushLog: (() => void) | undefined;

function fail(message: string): never {
  flushLog?.();
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(1);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** keepalived refuses to start when its pid file names a live process. */
function claimPidFile(path: string): void {
  if (existsSync(path)) {
    const old = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(old) && old > 0 && old !== process.pid && processAlive(old)) fail(`already running as pid ${old} (pid file ${path})`);
  }
  try {
    writeFileSync(path, `${process.pid}\n`);
  } catch (err) {
    fail(`cannot write pid file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * notify_fifo / lvs_notify_fifo: the FIFO stays open between lines (its reader sees one stream, as with
 * keepalived). Opened non-blocking, so a FIFO without a reader (ENXIO) or a full one (EAGAIN) never blocks the
 * daemon: the line is dropped and said once.
 */
function fifoWriter(path: string, log: DaemonLog): (line: string) => void {
  let fd: number | undefined;
  let warned = false;
  const warn = (err: unknown): void => {
    if (!warned) log.warn(`notify fifo ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)} (no reader?)`);
    warned = true;
  };
  return (line) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fd ??= openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
        writeSync(fd, line);
        warned = false;
        return;
      } catch (err) {
        // EPIPE: the reader went away; try a fresh open once (a new reader may be there).
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        if (attempt === 1 || (err as NodeJS.ErrnoException).code !== 'EPIPE') {
          warn(err);
          return;
        }
      }
    }
  };
}

export function registerRunCommand(program: Command): void {
  addObservationOptions(program.command('run'))
    .description('run the daemon in the foreground (keepalived -n -l)')
    .requiredOption('-f, --use-file <file>', 'configuration file (keepalived.conf)')
    .option('-p, --pid <file>', 'pid file', DEFAULT_PID_FILE)
    .option('-i, --config-id <id>', 'select @id conditional configuration lines')
    .option('--status-socket <path>', 'status socket for `vigil status`', DEFAULT_STATUS_SOCKET)
    .option('-D, --log-detail', 'detailed (debug) logging')
    .option('-l, --log-console', 'log to the console (always: vigil logs to stderr)')
    .option('-P, --vrrp', 'run only the VRRP subsystem')
    .option('-C, --check', 'run only the checkers and the load balancer')
    .option('-n, --dont-fork', "don't fork (vigil never forks)")
    .option('--strict', 'refuse a configuration with warnings, such as keywords vigil does not implement (at start and reload)')
    .action(async (options: RunOptions) => {
      await runDaemon(options);
    });
}

async function runDaemon(options: RunOptions): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    fail('root is required (raw sockets for VRRP and netlink for addresses); run as root or with CAP_NET_ADMIN and CAP_NET_RAW');
  }
  const log = new DeferredPinoLog(options.logDetail ? 'debug' : 'info', process.pid);
  flushLog = () => log.flush();
  // Loaded lazily: the native addon and netlink exist only where the daemon runs. The status socket (msgpackr)
  // and the dumps load after the instances have started: nothing of theirs is needed before the first advertisement.
  const [{ RawVrrpLink }, { NetlinkAddressManager }, { RawAnnouncer }, { ChildProcessRunner, resolveUser }, { NetlinkRoutes }, { NetlinkVmac }, { listProcesses }, { NftVipFirewall }, { ExecNftRunner }] =
    await Promise.all([
      import('../transport/real/raw-vrrp-link.js'),
      import('../transport/real/netlink-address-manager.js'),
      import('../transport/real/announcer.js'),
      import('../transport/real/child-process-runner.js'),
      import('../transport/real/netlink-routes.js'),
      import('../transport/real/vmac.js'),
      import('../transport/real/proc-table.js'),
      import('../transport/real/nft-vip-firewall.js'),
      import('../transport/real/lb/nft-runner.js'),
    ]);
  // Its precise timers serve Master_Down_Timer: a takeover happens on time, not a millisecond or two after.
  const clock = new RealClock();
  let observation: Awaited<ReturnType<typeof observationFromOptions>>;
  try {
    observation = await observationFromOptions(options, hostname(), clock, { config: options.useFile, pid: process.pid, started_at: new Date().toISOString() });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  claimPidFile(options.pid);
  const addresses = await NetlinkAddressManager.open();
  const processes = new ChildProcessRunner();
  const daemon = new VigilDaemon(
    {
      clock,
      link: new RawVrrpLink(),
      addresses,
      announcer: new RawAnnouncer({ onError: (e) => log.warn(`announce ${e.address} on ${e.interface}: ${e.error.message}`) }),
      processes,
      log,
      pid: process.pid,
      resolveUser,
      openFifo: (path) => fifoWriter(path, log),
      interfaces: () => addresses.interfaces(),
      routes: new NetlinkRoutes(),
      vmacs: new NetlinkVmac(),
      vipFirewall: (settings) => new NftVipFirewall(settings, new ExecNftRunner()),
      readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
      listProcesses,
      inspect: observation?.inspect,
      applyScheduling: applyThreadScheduling,
      checks: async () => {
        const [{ WorkerCheckerHost }, { chooseBackend }] = await Promise.all([
          import('../actors/daemon/worker-checker-host.js'),
          import('../transport/real/lb/choose-backend.js'),
        ]);
        return { host: (scheduling) => new WorkerCheckerHost({ clock, inspect: observation?.inspect, ...scheduling }), backend: (setting) => chooseBackend(setting) };
      },
    },
    // keepalived's default config id is the host name up to its first dot.
    {
      configFile: options.useFile,
      configId: options.configId ?? hostname().split('.')[0],
      nodeName: hostname(),
      vrrpOnly: options.vrrp === true,
      checkersOnly: options.check === true,
      strict: options.strict === true,
    },
  );
  const cleanupFiles = (): void => {
    rmSync(options.pid, { force: true });
    rmSync(options.statusSocket, { force: true });
  };
  observation?.attach(daemon);
  // Bound before the daemon starts: a port in use stops vigil before it touches any address.
  const url = await observation?.listen().catch((err: unknown) => {
    cleanupFiles();
    addresses.close();
    fail(`--http ${options.http}: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (url) log.info(`metrics, status and the live page at ${url}`);
  try {
    await daemon.start();
  } catch (err) {
    cleanupFiles();
    addresses.close();
    if (err instanceof ConfigLoadError) fail(err.message);
    log.flush();
    throw err;
  }
  log.load();
  // The signal handlers come first: from here on a SIGTERM must send priority 0 and release the addresses.
  let server: { close(): void } | undefined;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // The priority-0 advertisements leave before anything else (even the log line): a backup's Skew_Time runs
    // from them.
    const stopped = daemon.stop();
    log.info(`${signal}: stopping (priority 0 from masters, addresses released)`);
    await stopped;
    await observation?.close();
    processes.killAll();
    server?.close();
    addresses.close();
    cleanupFiles();
    log.info('stopped');
    log.flush();
    process.exit(0);
  };
  // Reloads are serialized: a storm of SIGHUPs coalesces into at most one pending reload.
  let reloading: Promise<void> | undefined;
  let reloadAgain = false;
  const reload = (): void => {
    if (stopping) return;
    if (reloading) {
      reloadAgain = true;
      return;
    }
    reloading = (async () => {
      do {
        reloadAgain = false;
        await daemon.reload();
      } while (reloadAgain && !stopping);
      reloading = undefined;
    })();
  };
  // A failed promise somewhere (an I/O error nobody awaited) is logged, not fatal: the actors keep running. An
  // exception thrown out of the event loop means our own state may be broken: log it and exit 1, so that the
  // supervisor (systemd Restart=on-failure, keepalived's parent in its world) starts a clean daemon.
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  process.on('uncaughtException', (err) => {
    log.error(`uncaught exception, exiting for a restart: ${err.stack ?? err.message}`);
    log.flush();
    process.exit(1);
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', reload);

  // What no advertisement waits for: the status socket (msgpackr) and the dumps load once the instances run.
  const [{ serveStatus }, { DATA_DUMP_PATH, JSON_DUMP_PATH, STATS_DUMP_PATH, formatDataDump, formatStatsDump }] = await Promise.all([
    import('../transport/real/status-socket.js'),
    import('../actors/daemon/dumps.js'),
  ]);
  server = await serveStatus(options.statusSocket, (request) => {
    const cmd = (request as { cmd?: unknown } | null)?.cmd;
    if (cmd === 'status') return daemon.status();
    return { error: `unknown command ${String(cmd)}` };
  }).catch((err: unknown) => {
    log.warn(`status socket ${options.statusSocket}: ${String(err)}`);
    return undefined;
  });
  process.on('SIGUSR1', () => {
    const status = daemon.status();
    writeFileSync(DATA_DUMP_PATH, formatDataDump(status));
    writeFileSync(JSON_DUMP_PATH, `${JSON.stringify(status, null, 2)}\n`);
    log.info(`data dump written to ${DATA_DUMP_PATH} and ${JSON_DUMP_PATH}`);
  });
  process.on('SIGUSR2', () => {
    writeFileSync(STATS_DUMP_PATH, formatStatsDump(daemon.status()));
    log.info(`stats dump written to ${STATS_DUMP_PATH}`);
  });
  // Keep the process alive: raw sockets are unref'd where possible, the daemon lives until a signal.
  setInterval(() => {}, 1 << 30);
}
