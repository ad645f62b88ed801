/**
 * The load-balancer contract: backends that converge the kernel to a desired state (machines/desired-state.ts).
 *
 * A backend is idempotent (applying the same state twice changes nothing the second time) and removes only what
 * vigil created: IPVS services it added, or the nftables tables it owns.
 */
import type { DesiredState } from '../../machines/desired-state.js';
import type { SyncDaemonControl } from './sync-daemon.js';

/** A scheduler (or feature) the backend could not honour exactly, and what it did instead. */
export interface Approximation {
  readonly key: string;
  readonly requested: string;
  readonly used: string;
  readonly reason: string;
}

export interface ApplyReport {
  readonly backend: string;
  /** Whether the kernel was changed (false when it already matched). */
  readonly changed: boolean;
  readonly services: number;
  /** Destinations that can receive connections (weight > 0, or the sorry server standing in). */
  readonly liveDestinations: number;
  /** Kernel operations performed: netlink messages for IPVS, 1 per transaction for nftables. */
  readonly operations: number;
  readonly approximations: readonly Approximation[];
  readonly warnings: readonly string[];
}

/**
 * How vigil's services leave at stop (keepalived `lvs_flush_on_stop`): `each` removes every destination, then
 * every service, one by one (keepalived's default); `services` removes the services, the kernel dropping their
 * destinations (`lvs_flush_on_stop VS`); `all` flushes the whole table, vigil's or not (`lvs_flush_on_stop`).
 */
export type ClearMode = 'each' | 'services' | 'all';

export interface LoadBalancerBackend {
  readonly name: string;
  /** Converges the kernel to `state`, idempotently, touching only what vigil created. */
  apply(state: DesiredState): Promise<ApplyReport>;
  /** Removes everything vigil created (and restores what it changed: lvs_timeouts), as `mode` says (default each). */
  clear(mode?: ClearMode): Promise<void>;
  /** keepalived `lvs_flush`: at start, before the first apply, removes every service the kernel holds. */
  flush?(): Promise<void>;
  /** The connection sync daemon (lvs_sync_daemon), where the backend has one (IPVS). */
  readonly syncDaemon?: SyncDaemonControl;
}

/** Thrown when the kernel lacks what a backend needs (no IPVS, no nft). */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}
