/**
 * The service manager the daemon reports to, as systemd's `Type=notify` protocol has it (sd_notify(3)): start-up
 * done, a reload begun and done, the stop begun, a one-line status, and a watchdog that must hear from the daemon
 * within its timeout. The real one (transport/real/sd-notify.ts) writes to $NOTIFY_SOCKET; tests give their own.
 */
export interface ServiceManager {
  /** READY=1: started (or a reload done), with a STATUS= line. */
  ready(status: string): void;
  /** RELOADING=1 (with the monotonic time systemd 253+ wants), with a STATUS= line. */
  reloading(status: string): void;
  /** STOPPING=1, with a STATUS= line. */
  stopping(status: string): void;
  /** STATUS= alone. */
  status(text: string): void;
  /** WATCHDOG=1. */
  watchdog(): void;
  /**
   * The watchdog's timeout in milliseconds when it watches this process ($WATCHDOG_USEC, for $WATCHDOG_PID or any
   * pid when that is unset); undefined: nothing to ping.
   */
  readonly watchdogMs: number | undefined;
}
