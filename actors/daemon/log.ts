/** The bus as the daemon's log, in keepalived's wording so that existing log alerts keep matching. */
import type { BusMessage } from '../bus.js';
import type { DaemonLog } from '../environment.js';

/**
 * Drops are logged at most once a second per instance and reason, with how many were left unlogged: a flood of
 * bad packets on the LAN must not become a flood of log lines (every drop is still counted: status, /metrics).
 * So is keepalived's "Received advert ... with lower priority" line, once a second per instance: a master hears
 * one per packet of a flood of lower-priority advertisements, and each line is a write the VRRP loop waits for.
 */
const RATE_LIMIT_MS = 1000;
const limits = new WeakMap<DaemonLog, Map<string, { last: number; unlogged: number }>>();

/** The line's suffix when it may be logged now (' (and N more …)' or ''), undefined when it is held back. */
function rateLimited(log: DaemonLog, key: string, at: number): string | undefined {
  let seen = limits.get(log);
  if (seen === undefined) limits.set(log, (seen = new Map()));
  const entry = seen.get(key);
  if (entry !== undefined && at - entry.last < RATE_LIMIT_MS) {
    entry.unlogged++;
    return undefined;
  }
  seen.set(key, { last: at, unlogged: 0 });
  return entry !== undefined && entry.unlogged > 0 ? ` (and ${entry.unlogged} more since the last such line)` : '';
}

function dropLine(log: DaemonLog, m: Extract<BusMessage, { kind: 'drop' }>): string | undefined {
  const more = rateLimited(log, `drop\0${m.instance ?? ''}\0${m.reason}`, m.at);
  return more === undefined ? undefined : `${m.instance ? `(${m.instance}) ` : ''}dropped an advertisement: ${m.reason}${more}`;
}

export function logBusMessage(log: DaemonLog, m: BusMessage): void {
  switch (m.kind) {
    case 'transition':
      log.info(`(${m.instance}) Entering ${m.to} STATE${m.from === 'INIT' ? ' (init)' : ''}`);
      break;
    case 'vip':
      log.info(`(${m.instance}) ${m.action === 'add' ? 'Adding' : 'Removing'} VIP ${m.address}`);
      break;
    case 'warning':
      log.warn(m.instance ? `(${m.instance}) ${m.message}` : m.message);
      break;
    case 'drop': {
      const line = dropLine(log, m);
      if (line !== undefined) log.debug(line);
      break;
    }
    case 'sync':
      log.info(`VRRP_Group(${m.group}) Syncing instances to ${m.to} state`);
      break;
    case 'priority':
      log.info(`(${m.instance}) Changing effective priority from ${m.from} to ${m.priority}`);
      break;
    case 'master_rx_lower_pri': {
      const more = rateLimited(log, `lower\0${m.instance}`, m.at);
      if (more !== undefined) log.info(`(${m.instance}) Received advert from ${m.source} with lower priority ${m.theirs}, ours ${m.priority}${more}`);
      break;
    }
    default:
      break;
  }
}
