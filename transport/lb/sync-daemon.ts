/**
 * The contract of IPVS's connection synchronisation daemon (keepalived `lvs_sync_daemon`): the kernel thread that
 * multicasts the connection table of a master director to its backups, so that connections survive a failover.
 * actors/lvs/sync-daemon-runner.ts drives it as keepalived does; transport/real/lb/ipvs-sync-daemon.ts programs
 * the kernel over generic netlink.
 */

export type SyncDaemonRole = 'master' | 'backup';

/** What keepalived's lvs_sync_daemon line gives, with its defaults applied (config/finalize-lvs.ts). */
export interface SyncDaemonConfig {
  /** The multicast interface. */
  readonly interface: string;
  /** keepalived `id`: the instance's VRID when an instance is named, else 0. */
  readonly syncId: number;
  /** Optional: absent leaves the kernel's default (IPv4 224.0.0.81, port 8848, TTL 1, maxlen from the MTU). */
  readonly maxlen?: number;
  readonly port?: number;
  readonly ttl?: number;
  readonly group?: string;
}

export interface SyncDaemonControl {
  /**
   * The daemon of `role` runs with `config` afterwards: started when absent, restarted when it runs with another
   * configuration (a leftover of a crash or an older configuration), left alone when it already matches.
   */
  start(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<void>;
  /** The daemon of `role` is stopped afterwards (stopping one that does not run is not an error). */
  stop(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<void>;
}
