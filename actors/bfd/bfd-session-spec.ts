/**
 * One BFD session as the node runs it: the machine's parameters and how its packets travel. Made from a
 * `bfd_instance` by ./specs-from-config.ts.
 */
import type { IpFamily } from '../../protocol/ip.js';
import type { BfdSessionParams } from '../../machines/bfd-session-logic.js';

export interface BfdSessionSpec {
  /** The machine's parameters, without bfd.LocalDiscr (the node draws it). */
  readonly params: Omit<BfdSessionParams, 'localDiscriminator'>;
  readonly family: IpFamily;
  /** `neighbor_ip`, canonical. */
  readonly neighbor: string;
  /** `source_ip`, canonical; absent: the kernel's choice, and packets from the neighbor to any of our addresses. */
  readonly source?: string | undefined;
  /** TTL / hop limit sent (`ttl` / `hoplimit`). */
  readonly ttl: number;
  /**
   * `max_hops`: packets with a TTL under `ttl − max_hops` are discarded (keepalived bfd_check_packet_ttl; 0 is
   * GTSM, RFC 5881 §5); 255 turns the check off.
   */
  readonly maxHops: number;
  /** UDP 4784 (RFC 5883) instead of 3784. keepalived 2.2.7 uses 3784 for every session. */
  readonly multihop: boolean;
}

/** The lowest TTL a session accepts, or undefined when it does not check. */
export function minTtlOf(spec: Pick<BfdSessionSpec, 'ttl' | 'maxHops'>): number | undefined {
  return spec.maxHops >= 255 ? undefined : spec.ttl - spec.maxHops;
}
