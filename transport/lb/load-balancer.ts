/**
 * The load-balancer contract: backends that converge the kernel to a desired state (machines/desired-state.ts).
 *
 * A backend is idempotent (applying the same state twice changes nothing the second time) and removes only what
 * vigil created: IPVS services it added, or the nftables tables it owns.
 */
import type { DesiredState } from '../../machines/desired-state.js';

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

export interface LoadBalancerBackend {
  readonly name: string;
  /** Converges the kernel to `state`, idempotently, touching only what vigil created. */
  apply(state: DesiredState): Promise<ApplyReport>;
  /** Removes everything vigil created. */
  clear(): Promise<void>;
}

/** Thrown when the kernel lacks what a backend needs (no IPVS, no nft). */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}
