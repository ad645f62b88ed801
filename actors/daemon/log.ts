/** The bus as the daemon's log, in keepalived's wording so that existing log alerts keep matching. */
import type { BusMessage } from '../bus.js';
import type { DaemonLog } from '../environment.js';
import { BFD_DIAG } from '../../protocol/bfd-types.js';

/** A BFD diagnostic in words (RFC 5880 §4.1): controlDetectionTimeExpired is "Control Detection Time Expired". */
function bfdDiagText(code: number): string {
  const name = Object.entries(BFD_DIAG).find(([, v]) => v === code)?.[0];
  return name === undefined ? `Reserved (${code})` : name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

/**
 * Drops are logged at most once a second per instance and reason, with how many were left unlogged: a flood of
 * bad packets on the LAN must not become a flood of log lines (every drop is still counted: status, /metrics).
 * So is keepalived's "Received advert ... with lower priority" line, once a second per instance: a master hears
 * one per packet of a flood of lower-priority advertisements, and each line is a write the VRRP loop waits for.
 */
const RATE_LIMIT_MS = 1000;
interface Limit {
  last: number;
  unlogged: number;
}
/** Per log: per kind of line (a drop reason, or 'lower'), per instance ('' for none). Keys are never built per line. */
const limits = new WeakMap<DaemonLog, Map<string, Map<string, Limit>>>();

/** The line's suffix when it may be logged now (' (and N more …)' or ''), undefined when it is held back. */
function rateLimited(log: DaemonLog, kind: string, instance: string, at: number): string | undefined {
  let kinds = limits.get(log);
  if (kinds === undefined) limits.set(log, (kinds = new Map()));
  let instances = kinds.get(kind);
  if (instances === undefined) kinds.set(kind, (instances = new Map()));
  const entry = instances.get(instance);
  if (entry !== undefined && at - entry.last < RATE_LIMIT_MS) {
    entry.unlogged++;
    return undefined;
  }
  const more = entry !== undefined && entry.unlogged > 0 ? ` (and ${entry.unlogged} more since the last such line)` : '';
  if (entry === undefined) instances.set(instance, { last: at, unlogged: 0 });
  else {
    entry.last = at;
    entry.unlogged = 0;
  }
  return more;
}

function dropLine(log: DaemonLog, m: Extract<BusMessage, { kind: 'drop' }>): string | undefined {
  const more = rateLimited(log, m.reason, m.instance ?? '', m.at);
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
      // keepalived vrrp_scheduler.c logs every one, at LOG_INFO.
      if (m.unknownVrid) log.info(`Unknown VRID(${m.unknownVrid.vrid}) received on interface(${m.unknownVrid.interface}). ignoring...`);
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
      const more = rateLimited(log, 'master_rx_lower_pri', m.instance, m.at);
      if (more !== undefined) log.info(`(${m.instance}) Received advert from ${m.source} with lower priority ${m.theirs}, ours ${m.priority}${more}`);
      break;
    }
    case 'bfd':
      // keepalived's "Expired after N ms": from the last packet received to the Detection Time's expiry.
      if (m.to === 'Down' && m.diag === 1 && m.sinceLastPacketMs !== undefined) log.info(`BFD_Instance(${m.session}) Expired after ${m.sinceLastPacketMs.toFixed(3)} ms`);
      // keepalived's bfd_state_up / bfd_state_down lines.
      log.info(`BFD_Instance(${m.session}) Entering ${m.to.toUpperCase()} state${m.diag !== 0 ? ` (local diag - ${bfdDiagText(m.diag)})` : ''}`);
      break;
    default:
      break;
  }
}
