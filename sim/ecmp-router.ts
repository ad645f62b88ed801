/**
 * The upstream router of active-active directors: every director that announces a virtual service's address is a
 * next hop of one ECMP route, and the router spreads flows over them by a hash of the flow's 5-tuple (hash-threshold,
 * RFC 2992: the hash's range cut into equal parts, one per next hop, in a fixed order). The next hops are the
 * directors whose announce_table route to the service's address is in their table now (the node's announcements,
 * actors/announce/, on the simulated route announcer; without announce_table, those whose pool is not empty); the
 * route follows at once (the speaker's hold time or BFD, which decide how fast in life, are not modelled).
 */
import { jhash, reciprocalScale } from '../protocol/jhash.js';
import { maglevFlowKey, type Flow } from '../transport/lb/maglev-flows.js';
import type { SeededRandom } from './seeded-random.js';

/** The router's own hash seed: a router does not hash as the directors do. */
const ROUTER_SEED = 0x45434d50; // "ECMP"

/** The next hop (a director's name) of a flow among the announcing directors, or undefined when none announces. */
export function ecmpNextHop(flow: Flow, announcing: readonly string[]): string | undefined {
  if (announcing.length === 0) return undefined;
  const hops = [...announcing].sort();
  return hops[reciprocalScale(jhash(maglevFlowKey(flow, true), ROUTER_SEED), hops.length)];
}

/**
 * `count` client flows to `address`:`port`, from clients in 198.18.0.0/15 (RFC 2544's benchmarking range) and
 * ephemeral ports, drawn from the seeded generator; no two flows share a 5-tuple.
 */
export function clientFlows(random: SeededRandom, count: number, address: string, port: number, protocol: Flow['protocol']): Flow[] {
  const flows: Flow[] = [];
  const seen = new Set<string>();
  while (flows.length < count) {
    const client = random.nextUint32() % 0x20000;
    const sourcePort = 1024 + (random.nextUint32() % (65536 - 1024));
    const source = `198.${18 + (client >> 16)}.${(client >> 8) & 0xff}.${client & 0xff}`;
    const id = `${source}:${sourcePort}`;
    if (seen.has(id)) continue;
    seen.add(id);
    flows.push({ source, sourcePort, destination: address, destinationPort: port, protocol });
  }
  return flows;
}
