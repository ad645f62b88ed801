/**
 * Advertisements the host refused to send: counted by interface, family and errno name (the status and /metrics
 * show them), and logged at most once a minute of the node's clock for each of those. keepalived logs every failure
 * ("send advert error", vrrp.c vrrp_send_adv): on a lost interface that is a line per instance and advert_int.
 */
import type { Clock } from '../../machines/clock.js';
import type { IpFamily } from '../../protocol/ip.js';
import type { SendError } from '../../transport/vrrp-link.js';

export interface SendErrorCount {
  readonly interface: string;
  readonly family: IpFamily;
  /** The errno name (ENODEV, ENXIO, EADDRNOTAVAIL, ENOBUFS, …). */
  readonly code: string;
  readonly count: number;
}

/** The least time between two log lines about the same failure. */
export const SEND_ERROR_LOG_INTERVAL_MS = 60_000;

interface Entry {
  readonly interface: string;
  readonly family: IpFamily;
  readonly code: string;
  count: number;
  loggedAt: number | undefined;
  /** Failures since the last line. */
  unlogged: number;
}

export class SendErrorLog {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly log: (message: string) => void,
    private readonly intervalMs = SEND_ERROR_LOG_INTERVAL_MS,
  ) {}

  failed(interfaceName: string, family: IpFamily, error: SendError): void {
    const key = `${interfaceName}|${family}|${error.code}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { interface: interfaceName, family, code: error.code, count: 0, loggedAt: undefined, unlogged: 0 };
      this.entries.set(key, entry);
    }
    entry.count++;
    const now = this.clock.now();
    if (entry.loggedAt !== undefined && now - entry.loggedAt < this.intervalMs) {
      entry.unlogged++;
      return;
    }
    const more = entry.unlogged > 0 ? ` (and ${entry.unlogged} more like it since the last report)` : '';
    const to = error.destination === '' ? '' : ` to ${error.destination}`;
    this.log(`${interfaceName}: cannot send VRRP advertisement${to}: ${error.error.message}${more}`);
    entry.loggedAt = now;
    entry.unlogged = 0;
  }

  counts(): SendErrorCount[] {
    return [...this.entries.values()].map((e) => ({ interface: e.interface, family: e.family, code: e.code, count: e.count }));
  }
}
