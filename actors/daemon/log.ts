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
 */
const DROP_LOG_INTERVAL_MS = 1000;
const dropLogs = new WeakMap<DaemonLog, Map<string, { last: number; unlogged: number }>>();

function dropLine(log: DaemonLog, m: Extract<BusMessage, { kind: 'drop' }>): string | undefined {
  let seen = dropLogs.get(log);
  if (seen === undefined) dropLogs.set(log, (seen = new Map()));
  const key = `${m.instance ?? ''}\0${m.reason}`;
  const entry = seen.get(key);
  if (entry !== undefined && m.at - entry.last < DROP_LOG_INTERVAL_MS) {
    entry.unlogged++;
    return undefined;
  }
  const more = entry !== undefined && entry.unlogged > 0 ? ` (and ${entry.unlogged} more since the last such line)` : '';
  seen.set(key, { last: m.at, unlogged: 0 });
  return `${m.instance ? `(${m.instance}) ` : ''}dropped an advertisement: ${m.reason}${more}`;
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
    case 'master_rx_lower_pri':
      log.info(`(${m.instance}) Received advert from ${m.source} with lower priority ${m.theirs}, ours ${m.priority}`);
      break;
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
