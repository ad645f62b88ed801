/**
 * The BFD sessions of a configuration: each finalized `bfd_instance` (config/finalize-vrrp.ts finishBfds) as a
 * session spec, its intervals from keepalived's milliseconds (three decimals) to microseconds. keepalived 2.2.7
 * sends every session to UDP 3784, `max_hops` or not; so does vigil.
 */
import type { BfdInstance } from '../../config/model.js';
import { canonicalIp } from '../../protocol/ip.js';
import type { BfdSessionSpec } from './bfd-session-spec.js';

const micros = (ms: number): number => Math.round(ms * 1000);

export function bfdSpecsFromConfig(instances: readonly BfdInstance[]): BfdSessionSpec[] {
  return instances.flatMap((b) => {
    if (b.neighborIp === undefined) return [];
    const neighbor = canonicalIp(b.neighborIp) ?? b.neighborIp;
    const family = neighbor.includes(':') ? 6 : 4;
    return [
      {
        params: {
          name: b.name,
          detectMult: b.multiplier,
          desiredMinTxUs: micros(b.minTx),
          requiredMinRxUs: micros(b.minRx),
          idleTxUs: micros(b.idleTx),
          passive: b.passive,
        },
        family,
        neighbor,
        source: b.sourceIp === undefined ? undefined : (canonicalIp(b.sourceIp) ?? b.sourceIp),
        ttl: b.ttl ?? (family === 4 ? 255 : 64),
        maxHops: b.maxHops,
        multihop: false,
      },
    ];
  });
}
