/**
 * DNS_CHECK (keepalived check_dns.c): one UDP query for `name`/`type` with a random id and Recursion Desired.
 * Replies with another id, or that are not responses, are ignored (the wait goes on); a response with RCODE
 * NOERROR is a success, any other RCODE a failure.
 */
import { randomInt } from 'node:crypto';
import { decodeHeader, encodeQuery } from '../../../protocol/dns-message.js';
import type { DnsProbeSpec, ProbeResult } from '../../prober.js';
import { datagramProbe } from './datagram-probe.js';
import { describeError, startProbe } from './outcome.js';

export function probeDns(spec: DnsProbeSpec): Promise<ProbeResult> {
  const id = randomInt(0, 0x10000);
  let query: Uint8Array;
  try {
    query = encodeQuery(id, spec.name, spec.type);
  } catch (err) {
    return Promise.resolve(startProbe().done(false, describeError(err)));
  }
  return datagramProbe({
    target: spec.target,
    timeoutMs: spec.timeoutMs,
    payload: query,
    silence: { ok: false, detail: 'read timeout' },
    judge: (message) => {
      const header = decodeHeader(message);
      if (header === undefined || header.id !== id || !header.response) return undefined;
      return { ok: header.rcode === 0, detail: header.rcode === 0 ? 'NOERROR' : `rcode ${header.rcode}` };
    },
  });
}
