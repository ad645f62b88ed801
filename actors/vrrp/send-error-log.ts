/**
 * Advertisements the host refused to send: counted by interface, family and errno name (the status and /metrics
 * show them), and logged at most once a minute of the node's clock for each of those. keepalived logs every failure
 * ("send advert error", vrrp.c vrrp_send_adv): on a lost interface that is a line per instance and advert_int.
 */
import type { Clock } from '../../machines/clock.js';
import type { IpFamily } from '../../protocol/ip.js';
import type { SendError } from '../../transport/vrrp-link.js';
import { LogLimiter, REPEATED_FAILURE_LOG_INTERVAL_MS } from '../log-limiter.js';

export interface SendErrorCount {
  readonly interface: string;
  readonly family: IpFamily;
  /** The errno name (ENODEV, ENXIO, EADDRNOTAVAIL, ENOBUFS, …). */
  readonly code: string;
  readonly count: number;
}

/** The least time between two log lines about the same failure. */
export const SEND_ERROR_LOG_INTERVAL_MS = REPEATED_FAILURE_LOG_INTERVAL_MS;

interface Entry {
  readonly interface: string;
  readonly family: IpFamily;
  readonly code: string;
  count: number;
}

export class SendErrorLog {
  private readonly entries = new Map<string, Entry>();
  private readonly limiter: LogLimiter;

  constructor(
    clock: Clock,
    private readonly log: (message: string) => void,
    intervalMs = SEND_ERROR_LOG_INTERVAL_MS,
  ) {
    this.limiter = new LogLimiter(clock, intervalMs);
  }

  failed(interfaceName: string, family: IpFamily, error: SendError): void {
    const key = `${interfaceName}|${family}|${error.code}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { interface: interfaceName, family, code: error.code, count: 0 };
      this.entries.set(key, entry);
    }
    entry.count++;
    const more = this.limiter.occurred(key);
    if (more === undefined) return;
    const to = error.destination === '' ? '' : ` to ${error.destination}`;
    this.log(`${interfaceName}: cannot send VRRP advertisement${to}: ${error.error.message}${more}`);
  }

  counts(): SendErrorCount[] {
    return [...this.entries.values()].map((e) => ({ interface: e.interface, family: e.family, code: e.code, count: e.count }));
  }
}
