/**
 * The daemon's rate limit for log lines about a failure that repeats (a send error, a VMAC that cannot be made
 * again): one line per key at most once per interval of the node's clock, the next one saying how many were left
 * out meanwhile. keepalived logs every occurrence; a lost interface or a flapping link must not flood the log.
 */
import type { Clock } from '../machines/clock.js';

/** The least time between two log lines about the same failure. */
export const REPEATED_FAILURE_LOG_INTERVAL_MS = 60_000;

export class LogLimiter {
  private readonly entries = new Map<string, { loggedAt: number; unlogged: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs = REPEATED_FAILURE_LOG_INTERVAL_MS,
  ) {}

  /**
   * One more occurrence of `key`: the text to append to its log line (empty, or how many were left out since the
   * last line), or undefined when the line is left out.
   */
  occurred(key: string): string | undefined {
    const now = this.clock.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && now - entry.loggedAt < this.intervalMs) {
      entry.unlogged++;
      return undefined;
    }
    const more = entry !== undefined && entry.unlogged > 0 ? ` (and ${entry.unlogged} more like it since the last report)` : '';
    this.entries.set(key, { loggedAt: now, unlogged: 0 });
    return more;
  }

  /** The failures whose keys start with `prefix` are over (what failed worked): a next one is logged at once. */
  clearPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
