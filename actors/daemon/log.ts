/** The bus as the daemon's log, in keepalived's wording so that existing log alerts keep matching. */
import type { BusMessage } from '../bus.js';
import type { DaemonLog } from '../environment.js';

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
    case 'drop':
      log.debug(`${m.instance ? `(${m.instance}) ` : ''}dropped an advertisement: ${m.reason}`);
      break;
    case 'sync':
      log.info(`VRRP_Group(${m.group}) Syncing instances to ${m.to} state`);
      break;
    case 'priority':
      log.info(`(${m.instance}) Changing effective priority from ${m.from} to ${m.priority}`);
      break;
    case 'master_rx_lower_pri':
      log.info(`(${m.instance}) Received advert from ${m.source} with lower priority ${m.theirs}, ours ${m.priority}`);
      break;
    default:
      break;
  }
}
