/** BFD session specs for the BFD tests (actors/bfd/bfd-session-spec.ts). Only exports. */
import type { BfdSessionSpec } from '../actors/bfd/bfd-session-spec.js';

/**
 * A single-hop IPv4 session `name` to `neighbor` from `source` (TTL 255), Active, 10 ms × 3 and 1 s when idle, with
 * `params` in place of any of its parameters and `over` of anything else.
 */
export function bfdSessionSpec(
  name: string,
  neighbor: string,
  source: string,
  params: Partial<BfdSessionSpec['params']> = {},
  over: Partial<Omit<BfdSessionSpec, 'params'>> = {},
): BfdSessionSpec {
  return {
    params: { name, detectMult: 3, desiredMinTxUs: 10_000, requiredMinRxUs: 10_000, idleTxUs: 1_000_000, passive: false, ...params },
    family: 4,
    neighbor,
    source,
    ttl: 255,
    maxHops: 0,
    multihop: false,
    ...over,
  };
}
