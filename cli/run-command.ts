/**
 * `vigil run -f FILE` (and keepalived's spelling `vigil -f FILE`): the daemon in the foreground, logging to stderr.
 * Flags as keepalived has them; those that make no sense for a foreground actor system are accepted as no-ops.
 * Signals as keepalived: HUP reloads, TERM/INT stop gracefully, USR1 writes the data dump, USR2 the stats dump,
 * and the real-time ones `vigil --signum` names: JSON (SIGRTMIN+2) the JSON dump, STATS_CLEAR (SIGRTMAX-1) the
 * stats dump then clears the statistics; keepalived's thread dump (SIGRTMAX) is logged only.
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { VigilDaemon, type DaemonLog } from '../actors/daemon/daemon.js';
import { ConfigLoadError } from '../config/load.js';
import { readHostFacts } from '../config/host-facts.js';
import { RealClock } from '../transport/real/real-clock.js';
import { DeferredPinoLog } from './deferred-log.js';
import { addObservationOptions, observationFromOptions, type ObservationCliOptions } from './http-option.js';
import { applyThreadScheduling } from '../transport/real/thread-scheduling.js';
import { watchAutoPriority } from '../transport/real/auto-priority.js';
import { ProcessControl, ProcessSettingError } from '../actors/daemon/process-control.js';
import { DEFAULT_PID_FILE, dumpFileName } from '../actors/daemon/process-names.js';
import { numericUmask } from '../config/umask.js';
import { ReloadTimeMonitor } from '../transport/real/reload-time-file.js';
import { serviceManagerFromEnvironment } from '../transport/real/sd-notify.js';
import { describeDaemon, ServiceLiveness } from '../actors/daemon/service-liveness.js';
import { workerConfigLoader } from '../actors/daemon/config-loader.js';
import { SnmpService } from '../observe/snmp/snmp-service.js';
import { VIGIL_VERSION } from './program.js';
import { resolveProgram } from '../transport/real/program-path.js';
import { AgentxSubagent } from '../transport/real/agentx-subagent.js';
import { interfaceMac, watchSignal } from '../native/index.js';
import { realtimeSignals } from '../transport/real/keepalived-signals.js';
import { readTrackFile, realTrackFileHost } from '../transport/real/track-file-host.js';
import { procSysctls } from '../transport/real/proc-sysctl.js';
import { SmtpMailTransport } from '../transport/real/smtp-mail-transport.js';
import { Vrrp1Service } from '../observe/dbus/vrrp1-service.js';
import { DbusNextConnection } from '../transport/real/dbus-next-connection.js';

export const DEFAULT_STATUS_SOCKET = '/run/vigil/vigil.sock';
/**
 * How long a stop may take before vigil exits anyway (a hung nft, a hung netlink request): never forever. Long
 * enough for notify and shutdown scripts to meet their own timeouts (shutdown_script_timeout defaults to 10 s);
 * under systemd, TimeoutStopSec comes first.
 */
const STOP_BOUND_MS = 60_000;

interface RunOptions extends ObservationCliOptions {
  useFile: string;
  pid?: string;
  umask?: string;
  configId?: string;
  statusSocket: string;
  statusSocketMode: string;
  dumpDir?: string;
  logDetail?: boolean;
  logConsole?: boolean;
  vrrp?: boolean;
  check?: boolean;
  dontFork?: boolean;
  routerId?: string;
  strict?: boolean;
  secureConfig?: boolean;
}

/** Set once the daemon's log exists: what it holds is written before a failure's line. */
let flushLog: (() => void) | undefined;

function fail(message: string): never {
  flushLog?.();
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(1);
}

/** An octal file mode as given on the command line ("0600", "660"). */
function parseMode(text: string): number | undefined {
  return /^0?[0-7]{3}$/.test(text) ? parseInt(text, 8) : undefined;
}

export function registerRunCommand(program: Command): void {
  addObservationOptions(program.command('run'))
    .description('run the daemon in the foreground (keepalived -n -l)')
    .requiredOption('-f, --use-file <file>', 'configuration file (keepalived.conf)')
    .option('-p, --pid <file>', `pid file (default ${DEFAULT_PID_FILE}, or as global_defs instance / use_pid_dir / net_namespace name it)`)
    .option('-u, --umask <mask>', 'file creation mask, numeric (default 0177, or global_defs umask)')
    .option('-i, --config-id <id>', 'select @id conditional configuration lines')
    .option('--status-socket <path>', 'status socket for `vigil status`', DEFAULT_STATUS_SOCKET)
    .option('--status-socket-mode <mode>', 'file mode of the status socket (octal)', '0600')
    .option('--dump-dir <dir>', 'directory of the SIGUSR1/SIGUSR2 dumps, only root may write it (default /run/vigil)')
    .option('-D, --log-detail', 'detailed (debug) logging')
    .option('-l, --log-console', 'log to the console (always: vigil logs to stderr)')
    .option('-P, --vrrp', 'run only the VRRP subsystem')
    .option('-C, --check', 'run only the checkers and the load balancer')
    .option('-n, --dont-fork', "don't fork (vigil never forks)")
    .option('--strict', 'refuse a configuration with warnings, such as keywords vigil does not implement (at start and reload)')
    .option('--secure-config', 'refuse configuration files that a non-root user could change (at start and on reload)')
    .action(async (options: RunOptions) => {
      await runDaemon(options);
    });
}

async function runDaemon(options: RunOptions): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    fail('root is required (raw sockets for VRRP and netlink for addresses); run as root or with CAP_NET_ADMIN and CAP_NET_RAW');
  }
  // As vigil was started: a net_namespace run again in the namespace gets it whole (NOTIFY_SOCKET included).
  const environment = { ...process.env };
  const umask = options.umask === undefined ? undefined : numericUmask(options.umask);
  if (options.umask !== undefined && umask === undefined) fail(`--umask: not a file mode mask: ${options.umask}`);
  const statusSocketMode = parseMode(options.statusSocketMode);
  if (statusSocketMode === undefined) fail(`--status-socket-mode: not an octal file mode: ${options.statusSocketMode}`);
  // Named like keepalived in ps and /proc/PID/comm: the pid file check knows a live vigil by its name.
  process.title = ['vigil', ...process.argv.slice(2)].join(' ');
  const log = new DeferredPinoLog(options.logDetail ? 'debug' : 'info', process.pid);
  flushLog = () => log.flush();
  // SIGTERM, SIGINT and SIGHUP from the first moment: their default action would end the process half set up
  // (sysctls changed, a VIP added, the pid file left). One that comes while the daemon starts is acted on once it
  // has started: a stop as a stop (priority 0, addresses released, sysctls put back), a reload as a reload. The
  // listeners stay: removing one drops a signal caught but not yet dispatched (start's last steps may run as
  // microtasks only, and the loop's poll phase delivers signals), so what they do changes instead.
  let earlyStop: 'SIGTERM' | 'SIGINT' | undefined;
  let earlyReload = false;
  let onStop = (signal: 'SIGTERM' | 'SIGINT'): void => {
    earlyStop ??= signal;
  };
  let onReload = (): void => {
    earlyReload = true;
  };
  process.on('SIGTERM', () => onStop('SIGTERM'));
  process.on('SIGINT', () => onStop('SIGINT'));
  process.on('SIGHUP', () => onReload());
  // keepalived's real-time signal functions, watched from here (held ignored since cli/main.ts: the scripts
  // started from here on get their default actions back). Each acts once the daemon can (signalActions).
  const realtime = realtimeSignals();
  const signalActions = new Map<number, () => void>();
  signalActions.set(realtime.threadDump, () => log.info(`signal ${realtime.threadDump} (keepalived's thread dump, TDUMP): vigil has no thread dump; ignored`));
  try {
    for (const signum of Object.values(realtime)) watchSignal(signum, () => signalActions.get(signum)?.());
  } catch (err) {
    // Without the addon (a platform it is not built for: checkers only) these signals keep their default action.
    log.warn(`signals ${Object.values(realtime).join(', ')} (JSON, STATS_CLEAR, TDUMP) not handled: ${err instanceof Error ? err.message : String(err)}`);
  }
  // systemd's NOTIFY_SOCKET (Type=notify), read and cleared from the environment before anything is started.
  const serviceManager = serviceManagerFromEnvironment((message) => log.warn(message));
  // Files that could not be written (dumps here, the recording in the observation), for /metrics.
  const fileWriteFailures: Record<string, number> = {};
  // Loaded lazily: the native addon and netlink exist only where the daemon runs. The status socket (msgpackr)
  // and the dumps load after the instances have started: nothing of theirs is needed before the first advertisement.
  const [{ RawVrrpLink }, { NetlinkAddressManager }, { RawAnnouncer }, { ChildProcessRunner }, { NetlinkRoutes }, { NetlinkVmac }, { ProcConnectorMonitor }, { openNotifyFifo }, { NftVipFirewall }, { ExecNftRunner }, { WorkerBfdHost }, { TunRouteAnnouncer }] =
    await Promise.all([
      import('../transport/real/raw-vrrp-link.js'),
      import('../transport/real/netlink-address-manager.js'),
      import('../transport/real/announcer.js'),
      import('../transport/real/child-process-runner.js'),
      import('../transport/real/netlink-routes.js'),
      import('../transport/real/vmac.js'),
      import('../transport/real/proc-connector.js'),
      import('../transport/real/notify-fifo.js'),
      import('../transport/real/nft-vip-firewall.js'),
      import('../transport/real/lb/nft-runner.js'),
      import('../actors/daemon/worker-bfd-host.js'),
      import('../transport/real/tun-route-announcer.js'),
    ]);
  // Its precise timers serve Master_Down_Timer: a takeover happens on time, not a millisecond or two after.
  const clock = new RealClock();
  let observation: Awaited<ReturnType<typeof observationFromOptions>>;
  try {
    observation = await observationFromOptions(options, hostname(), clock, { config: options.useFile, pid: process.pid, started_at: new Date().toISOString(), clock_epoch_ms: Date.now() - clock.now() }, {
      log,
      fileWriteFailures: () => fileWriteFailures,
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  // umask at once; the pid file, names and namespace once the configuration is read (daemon.start()).
  const processControl = new ProcessControl({ pidFile: options.pid, umask, environment, log, applyScheduling: applyThreadScheduling, beforeExec: () => log.flush() });
  const netlinkError = (message: string): void => log.warn(message);
  const addresses = await NetlinkAddressManager.open({ onError: netlinkError });
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
      hostFacts: () => readHostFacts(),
      openFifo: (path, owner) => openNotifyFifo(path, owner, log),
      interfaces: () => addresses.interfaces(),
      routes: new NetlinkRoutes(netlinkError),
      // announce_table: the TUN device is made at the first announcement, and dies with the process.
      routeAnnouncer: new TunRouteAnnouncer(undefined, netlinkError),
      vmacs: new NetlinkVmac({ onError: netlinkError }),
      sysctls: procSysctls,
      netlinkReceiveBuffers: (buffers) => addresses.setReceiveBuffers(buffers.monitor, buffers.command),
      vipFirewall: (settings) => new NftVipFirewall(settings, new ExecNftRunner()),
      // track_file polls: a regular file only, never a thread of libuv's pool blocked on a FIFO.
      readFile: readTrackFile,
      trackFileHost: realTrackFileHost,
      processMonitor: new ProcConnectorMonitor(),
      // smtp_alert: sent from a thread of its own, started (and nodemailer loaded) with the first alert.
      mail: { transport: new SmtpMailTransport(), host: { hostName: hostname(), userName: userInfo().username } },
      inspect: observation?.inspect,
      // bfd_instance: UDP 3784 / 4784 in a worker thread of its own (keepalived: a BFD process), scheduled by the
      // bfd_* global_defs; only changes of state cross to the VRRP thread.
      bfdHost: (scheduling) => new WorkerBfdHost({ scheduling, warn: (m) => log.warn(m) }),
      // The VRRP thread's scheduling, and max_auto_priority watched on its clock.
      applyScheduling: (settings) => {
        const failed = applyThreadScheduling(settings);
        const { maxAutoPriority: max, minAutoPriorityDelayUs: minDelayUs, realtimePriority: current, rlimitRttimeUs } = settings;
        watchAutoPriority(clock, { max, minDelayUs, current, rlimitRttimeUs }, (m) => log.warn(`VRRP thread: ${m}`));
        return failed;
      },
      // Parsing a configuration (start and reload) runs on a worker thread: the VRRP thread keeps advertising.
      loadConfig: workerConfigLoader(),
      process: processControl,
      checks: async () => {
        const [{ WorkerCheckerHost }, { chooseBackendOnce }] = await Promise.all([
          import('../actors/daemon/worker-checker-host.js'),
          import('../transport/real/lb/choose-backend.js'),
        ]);
        return {
          host: (scheduling) => new WorkerCheckerHost({ clock, inspect: observation?.inspect, ...scheduling }),
          backend: (setting) => chooseBackendOnce(setting),
          nft: () => new ExecNftRunner(),
        };
      },
    },
    // keepalived's default config id is the host name up to its first dot.
    {
      configFile: options.useFile,
      configId: options.configId ?? hostname().split('.')[0],
      secureConfig: options.secureConfig === true,
      nodeName: hostname(),
      vrrpOnly: options.vrrp === true,
      checkersOnly: options.check === true,
      strict: options.strict === true,
    },
  );
  // READY / RELOADING / STOPPING / STATUS and the watchdog's pings (actors/daemon/service-liveness.ts).
  const liveness = serviceManager ? new ServiceLiveness(serviceManager, clock, () => describeDaemon(daemon)) : undefined;
  liveness?.starting(options.useFile);
  // Only what this daemon made: its own pid file, its own socket (server.close below).
  const cleanupFiles = (): void => processControl.release();
  observation?.attach(daemon);
  // Bound before the daemon starts: a port in use stops vigil before it touches any address.
  const url = await observation?.listen().catch((err: unknown) => {
    cleanupFiles();
    addresses.close();
    fail(`--http ${options.http}: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (url) log.info(`metrics, status and the live page at ${url}`);
  // enable_snmp_vrrp: the AgentX subagent (a missing snmpd is a warning; it connects again when snmpd is back).
  const snmp = new SnmpService({
    config: () => daemon.runningConfig,
    status: () => daemon.status(),
    ifIndex: (name) => addresses.indexOf(name),
    ifMac: (name) => {
      try {
        return interfaceMac(name);
      } catch {
        return undefined;
      }
    },
    primaryAddress: (name, family) => addresses.primaryAddress(name, family),
    hostname: hostname(),
    version: `vigil v${VIGIL_VERSION}`,
    log,
    resolveProgram,
    messages$: daemon.bus.messages$,
    subagent: (o) => new AgentxSubagent(o),
    // The objects keepalived lets a manager set (vrrpInstanceBasePriority, vrrpInstancePreempt) act on the instances.
    control: {
      basePriority: (i) => daemon.assembly?.node.runners.get(i)?.basePriority,
      preempt: (i) => daemon.assembly?.node.runners.get(i)?.preempt,
      setBasePriority: (i, p) => daemon.assembly?.node.setBasePriority(i, p) ?? false,
      setPreempt: (i, p) => daemon.assembly?.node.setPreempt(i, p) ?? false,
    },
    // realServerWeight acts on the running real servers (until a reload).
    checkControl: {
      realServerWeight: (vs, rs) => daemon.assembly?.checkerSide?.realServerAt(vs, rs)?.weight,
      setRealServerWeight: (vs, rs, weight) => daemon.assembly?.checkerSide?.setRealServerWeight(vs, rs, weight) ?? false,
    },
  });
  // enable_dbus: org.keepalived.Vrrp1 on the system bus (a missing bus is a warning). Its methods do what the
  // signals do; the dumps' writer exists once the daemon runs.
  let dumpRequest: ((kind: 'data' | 'stats' | 'json') => void) | undefined;
  let reloadRequest: (() => void) | undefined;
  // The stats dump (SIGUSR2, PrintStats), then for STATS_CLEAR and PrintStatsClear the statistics zeroed.
  const printStats = (clear: boolean): void => {
    // The dump takes the status now; the statistics are zeroed after (actors/vrrp/instance-counters.ts).
    dumpRequest?.('stats');
    if (!clear) return;
    daemon.assembly?.node.clearStats();
    snmp.clearStats();
  };
  const dbus = new Vrrp1Service({
    config: () => daemon.runningConfig,
    status: () => daemon.status(),
    messages$: daemon.bus.messages$,
    log,
    connection: (o) => new DbusNextConnection(o),
    vrrp: options.check !== true,
    actions: {
      printData: () => dumpRequest?.('data'),
      printStats,
      reload: () => reloadRequest?.(),
      sendGarp: (name) => {
        const runner = daemon.assembly?.node.runners.get(name);
        runner?.announceOnce();
        return runner !== undefined;
      },
    },
  });
  try {
    await daemon.start();
  } catch (err) {
    cleanupFiles();
    addresses.close();
    if (err instanceof ConfigLoadError || err instanceof ProcessSettingError) fail(err.message);
    log.flush();
    throw err;
  }
  log.load();
  snmp.apply();
  dbus.apply();
  // The signal handlers come first: from here on a SIGTERM must send priority 0 and release the addresses.
  let server: { close(): void } | undefined;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // The priority-0 advertisements leave before anything else (even the log line): a backup's Skew_Time runs
    // from them.
    const stopped = daemon.stop();
    liveness?.stopping(signal);
    log.info(`${signal}: stopping (priority 0 from masters, addresses released)`);
    // A step that fails (nft refusing to remove the rules, say) is logged and the others still run; a step that
    // hangs does not keep the daemon (and its service manager) waiting past STOP_BOUND_MS.
    let failed = false;
    const step = async (what: string, run: () => unknown): Promise<void> => {
      try {
        await run();
      } catch (err) {
        failed = true;
        log.error(`stopping: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const bound = setTimeout(() => {
      log.error(`stopping: not done after ${STOP_BOUND_MS} ms; exiting anyway`);
      log.flush();
      process.exit(1);
    }, STOP_BOUND_MS);
    reloadTimes.close();
    await step('the daemon', () => stopped);
    await step('SNMP', () => snmp.stop());
    await step('DBus', () => dbus.close());
    await step('the recorder', () => observation?.close());
    await step('scripts', () => processes.killAll());
    await step('the status socket', () => server?.close());
    await step('netlink', () => addresses.close());
    await step('files', () => cleanupFiles());
    await step('the service manager', () => {
      liveness?.close();
      serviceManager?.close();
    });
    clearTimeout(bound);
    log.info(failed ? 'stopped, with errors (above)' : 'stopped');
    log.flush();
    process.exit(failed ? 1 : 0);
  };
  // Reloads are serialized: a storm of SIGHUPs coalesces into at most one pending reload. The latch is released
  // whatever the reload does (a reload that failed must not make every later SIGHUP a no-op); a SIGTERM meanwhile
  // is the daemon's to handle (its stop waits for the reload, which gives up).
  let reloading: Promise<void> | undefined;
  let reloadAgain = false;
  const reload = (): void => {
    if (stopping) return;
    if (reloading) {
      reloadAgain = true;
      return;
    }
    reloading = (async () => {
      liveness?.reloading(options.useFile);
      try {
        let result: Awaited<ReturnType<typeof daemon.reload>>;
        do {
          reloadAgain = false;
          processControl.saveReloadState(daemon.runningConfig, 'pre', daemon.status());
          result = await daemon.reload().catch((err: unknown) => {
            const error = err instanceof Error ? err.message : String(err);
            log.error(`reload failed: ${error}`);
            return { ok: false, error } as const;
          });
          processControl.saveReloadState(daemon.runningConfig, 'post', daemon.status());
        } while (reloadAgain && !stopping);
        if (!stopping) liveness?.reloaded(result);
        if (!stopping && result.ok) snmp.apply();
        if (!stopping && result.ok) dbus.apply();
        if (!stopping) reloadTimes.update(reloadTimeSettings());
      } finally {
        reloading = undefined;
      }
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
  onStop = (signal) => void shutdown(signal);
  onReload = reload;
  reloadRequest = reload;
  if (earlyStop !== undefined) void shutdown(earlyStop);
  else if (earlyReload) reload();
  // reload_time_file: a reload at the time a file names, as if SIGHUP came then.
  const reloadTimes = new ReloadTimeMonitor(reload, log);
  const reloadTimeSettings = (): { file: string; repeat: boolean } | undefined => {
    const g = daemon.globals;
    return g?.reloadTimeFile === undefined ? undefined : { file: g.reloadTimeFile, repeat: g.reloadRepeat };
  };
  reloadTimes.update(reloadTimeSettings());

  // What no advertisement waits for: the status socket (msgpackr) and the dumps load once the instances run.
  const [{ serveStatus }, { DEFAULT_DUMP_DIR, DumpWriter }, { processResources }] = await Promise.all([
    import('../transport/real/status-socket.js'),
    import('../actors/daemon/dumps.js'),
    import('../transport/real/process-resources.js'),
  ]);
  // The dumps' directory first: made 0700 when missing (the status socket's default directory is the same).
  const dumps = new DumpWriter(options.dumpDir ?? DEFAULT_DUMP_DIR, log, (file) => {
    const g = daemon.globals;
    return g ? dumpFileName(file, g) : file;
  });
  // Written in slices between turns of the VRRP thread's loop (actors/daemon/dumps.ts); they never reject.
  dumpRequest = (kind) => {
    const status = daemon.status();
    const written = kind === 'data' ? dumps.dataDump(status) : kind === 'json' ? dumps.jsonDump(status) : dumps.statsDump(status);
    void written.then(() => (fileWriteFailures['dump'] = dumps.failures));
  };
  process.on('SIGUSR1', () => dumpRequest?.('data'));
  process.on('SIGUSR2', () => printStats(false));
  signalActions.set(realtime.json, () => dumpRequest?.('json'));
  signalActions.set(realtime.statsClear, () => {
    log.info(`signal ${realtime.statsClear} (STATS_CLEAR): the stats dump, then the statistics cleared`);
    printStats(true);
  });
  dumps.prepare();
  const statusServer = await serveStatus(
    options.statusSocket,
    (request) => {
      const cmd = (request as { cmd?: unknown } | null)?.cmd;
      if (cmd === 'status') return { ...daemon.status(), process: processResources() };
      return { error: `unknown command ${String(cmd)}` };
    },
    { mode: statusSocketMode },
  ).catch((err: unknown) => {
    log.warn(`status socket ${options.statusSocket}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  server = statusServer;
  // Started, signals handled, status socket answering: READY=1 (the exact point: actors/daemon/service-liveness.ts).
  liveness?.ready(daemon.bus);
  // Keep the process alive: raw sockets are unref'd where possible, the daemon lives until a signal.
  setInterval(() => {}, 1 << 30);
}
