/**
 * IPVS's connection sync daemon over generic netlink (keepalived ipvswrapper.c ipvs_syncd_cmd): IPVS_CMD_NEW_DAEMON
 * with every attribute keepalived sends, IPVS_CMD_DEL_DAEMON with the state and sync id. Starting converges: the
 * running daemons are read first (IPVS_CMD_GET_DAEMON), so one left by a crash or an older configuration is
 * restarted, and one that already matches is left running (a reload does not interrupt the sync).
 */
import { ipToBytes } from '../../../protocol/ip-bytes.js';
import {
  decodeDaemon,
  delDaemonMessage,
  getDaemonsMessage,
  IP_VS_STATE_BACKUP,
  IP_VS_STATE_MASTER,
  newDaemonMessage,
  type IpvsDaemon,
} from '../../../protocol/ipvs-daemon-messages.js';
import type { SyncDaemonConfig, SyncDaemonControl, SyncDaemonRole } from '../../lb/sync-daemon.js';
import { NetlinkError, type GenlChannel } from './genl-channel.js';

const STATES: Readonly<Record<SyncDaemonRole, IpvsDaemon['state']>> = { master: IP_VS_STATE_MASTER, backup: IP_VS_STATE_BACKUP };
const ESRCH = 3;

/** The NEW_DAEMON request keepalived makes of `config` in `role`. */
export function toIpvsDaemon(role: SyncDaemonRole, config: SyncDaemonConfig): IpvsDaemon {
  return {
    state: STATES[role],
    interface: config.interface,
    syncId: config.syncId,
    ...(config.maxlen ? { maxlen: config.maxlen } : {}),
    ...(config.port ? { port: config.port } : {}),
    ...(config.ttl ? { ttl: config.ttl } : {}),
    ...(config.group !== undefined ? { group: ipToBytes(config.group) } : {}),
  };
}

/** Whether a running daemon is the one wanted: what was asked for is what runs (the kernel fills in the rest). */
function matches(running: Partial<IpvsDaemon>, wanted: IpvsDaemon): boolean {
  const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b));
  return (
    running.interface === wanted.interface &&
    running.syncId === wanted.syncId &&
    (wanted.maxlen === undefined || running.maxlen === wanted.maxlen) &&
    (wanted.port === undefined || running.port === wanted.port) &&
    (wanted.ttl === undefined || running.ttl === wanted.ttl) &&
    (wanted.group === undefined || same(running.group, wanted.group))
  );
}

export class IpvsSyncDaemon implements SyncDaemonControl {
  constructor(
    private readonly channel: GenlChannel,
    private readonly family: () => Promise<number>,
  ) {}

  async start(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<void> {
    const familyId = await this.family();
    const wanted = toIpvsDaemon(role, config);
    const running = (await this.#running(familyId)).find((d) => d.state === wanted.state);
    if (running !== undefined && matches(running, wanted)) return;
    if (running !== undefined) await this.channel.request((seq) => delDaemonMessage({ familyId, seq }, wanted.state, running.syncId ?? 0), `stop the ${role} sync daemon`);
    await this.channel.request((seq) => newDaemonMessage({ familyId, seq }, wanted), `start the ${role} sync daemon on ${config.interface}`);
  }

  async stop(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<void> {
    const familyId = await this.family();
    try {
      await this.channel.request((seq) => delDaemonMessage({ familyId, seq }, STATES[role], config.syncId), `stop the ${role} sync daemon`);
    } catch (error) {
      // Not running (the kernel answers ESRCH): the goal is reached.
      if (!(error instanceof NetlinkError && error.errno === ESRCH)) throw error;
    }
  }

  async #running(familyId: number): Promise<Partial<IpvsDaemon>[]> {
    const replies = await this.channel.request((seq) => getDaemonsMessage({ familyId, seq }), 'IPVS_CMD_GET_DAEMON');
    return replies.map((r) => decodeDaemon(r).daemon);
  }
}
