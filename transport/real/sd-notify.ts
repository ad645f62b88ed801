/**
 * sd_notify(3) without libsystemd: one AF_UNIX datagram per notification to $NOTIFY_SOCKET (a path, or an abstract
 * name written with a leading '@'), sent through the addon (Node has no AF_UNIX datagram sockets). Without
 * NOTIFY_SOCKET there is no service manager to tell and nothing is sent. A datagram that cannot be sent is said
 * once in the log and counted; the daemon runs on (systemd then judges it by its own timeouts).
 */
import { openUnixDatagramSocket, type UnixDatagramSocket } from '../../native/index.js';
import type { ServiceManager } from '../service-manager.js';

/** The variables systemd sets for a `Type=notify` service with `WatchdogSec=`. */
export const NOTIFY_VARIABLES = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

export interface NotifyEnvironment {
  readonly socket: string;
  readonly watchdogMs: number | undefined;
}

/**
 * What the environment says: undefined without NOTIFY_SOCKET (or with one that is not an absolute path or an
 * abstract name, as sd_notify ignores it). The watchdog is on when WATCHDOG_USEC is a positive integer and
 * WATCHDOG_PID, when set, is this process (sd_watchdog_enabled(3)).
 */
export function notifyEnvironment(env: Readonly<Record<string, string | undefined>>, pid: number): NotifyEnvironment | undefined {
  const socket = env['NOTIFY_SOCKET'];
  if (socket === undefined || !(socket.startsWith('/') || (socket.startsWith('@') && socket.length > 1))) return undefined;
  const usec = env['WATCHDOG_USEC'];
  const forPid = env['WATCHDOG_PID'];
  const usecValid = usec !== undefined && /^[1-9][0-9]*$/.test(usec);
  const pidMatches = forPid === undefined || (/^[0-9]+$/.test(forPid) && Number(forPid) === pid);
  return { socket, watchdogMs: usecValid && pidMatches ? Number(usec) / 1000 : undefined };
}

/** CLOCK_MONOTONIC in microseconds: libuv's hrtime is CLOCK_MONOTONIC on Linux, the clock systemd compares with. */
function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

/** A STATUS= value is one line: a newline would start another assignment. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export class SdNotify implements ServiceManager {
  readonly watchdogMs: number | undefined;
  /** Datagrams that could not be sent. */
  failures = 0;
  private socket: UnixDatagramSocket | undefined;

  constructor(
    private readonly target: NotifyEnvironment,
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.watchdogMs = target.watchdogMs;
  }

  ready(status: string): void {
    this.send(['READY=1', `STATUS=${oneLine(status)}`]);
  }

  reloading(status: string): void {
    this.send(['RELOADING=1', `MONOTONIC_USEC=${monotonicUsec()}`, `STATUS=${oneLine(status)}`]);
  }

  stopping(status: string): void {
    this.send(['STOPPING=1', `STATUS=${oneLine(status)}`]);
  }

  status(text: string): void {
    this.send([`STATUS=${oneLine(text)}`]);
  }

  watchdog(): void {
    this.send(['WATCHDOG=1']);
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private send(fields: readonly string[]): void {
    try {
      this.socket ??= openUnixDatagramSocket();
      this.socket.send(this.target.socket, Buffer.from(`${fields.join('\n')}\n`));
    } catch (err) {
      if (this.failures++ === 0) this.onError(`sd_notify to ${this.target.socket}: ${err instanceof Error ? err.message : String(err)} (said once; counted)`);
    }
  }
}

/**
 * The service manager of this process, from its environment, which is then cleared of the notify variables (as
 * sd_notify's unset_environment does): nothing the daemon starts may speak to systemd in its name. Undefined when
 * there is none.
 */
export function serviceManagerFromEnvironment(onError: (message: string) => void): SdNotify | undefined {
  const target = notifyEnvironment(process.env, process.pid);
  for (const name of NOTIFY_VARIABLES) delete process.env[name];
  return target === undefined ? undefined : new SdNotify(target, onError);
}
