/**
 * Which real server the nftables Maglev rule (nftables-ruleset.ts, lb_algo mh) gives a flow, computed as the
 * kernel does: the rule's jhash over the same fields (the source address, or with mh-port the 5-tuple), scaled to
 * the table's size, and the slot's server. The simulator's directors and the namespace tests use it to know where
 * a flow lands without a kernel.
 */
import { isIPv4 } from 'node:net';
import { liveDestinations, type VirtualService } from '../../machines/desired-state.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';
import { nftConcat, nftJhash } from '../../protocol/jhash.js';
import { maglevName, serviceMaglevTable } from './nftables-ruleset.js';

/** A flow as the director's prerouting hook sees its first packet (before DNAT). */
export interface Flow {
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
}

const PROTOCOL_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;
const port = (p: number): Uint8Array => Uint8Array.of(p >> 8, p & 0xff);

/** The registers the rule hashes: `saddr` alone, or `saddr . sport . daddr . dport . l4proto` (mh-port). */
export function maglevFlowKey(flow: Flow, fiveTuple: boolean): Uint8Array {
  if (!fiveTuple) return ipToBytes(flow.source);
  return nftConcat([ipToBytes(flow.source), port(flow.sourcePort), ipToBytes(flow.destination), port(flow.destinationPort), Uint8Array.of(PROTOCOL_NUMBER[flow.protocol])]);
}

/**
 * A function giving the server (its Maglev name, `address:port`, or the address when the port is kept) the service's
 * rule picks for a flow; undefined when the service has no live destination. Persistence masks are not applied.
 */
export function maglevFlowPicker(service: VirtualService): (flow: Flow) => string | undefined {
  let dests = liveDestinations(service).filter((d) => isIPv4(d.address) === (service.family === 4));
  let withPort = true;
  if (service.kind === 'address') dests = dests.map((d) => (d.port === 0 ? { ...d, port: service.port } : d));
  else if (dests.every((d) => d.port === 0)) withPort = false;
  else dests = dests.filter((d) => d.port !== 0);
  if (dests.length === 0) return () => undefined;
  if (dests.length === 1) {
    const only = maglevName(dests[0]!, withPort);
    return () => only;
  }
  const table = serviceMaglevTable(service, dests, withPort);
  const fiveTuple = (service.schedulerFlags ?? []).includes('flag-2');
  const size = table.slots.length;
  return (flow) => table.backends[table.slots[nftJhash(maglevFlowKey(flow, fiveTuple), size, 0)]!]!.name;
}
