/**
 * DNS_CHECK (keepalived check_dns.c): one UDP query for `name`/`type` with a random id and Recursion Desired.
 * Replies with another id, or that are not responses, are ignored (the wait goes on); a response with RCODE
 * NOERROR is a success, any other RCODE a failure.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { decodeHeader, encodeQuery } from '../../../protocol/dns-message.js';
import type { DnsProbeSpec, ProbeResult } from '../../prober.js';
import { describeError, startProbe } from './outcome.js';

export function probeDns(spec: DnsProbeSpec): Promise<ProbeResult> {
  const timing = startProbe();
  return new Promise((resolve) => {
    const { target } = spec;
    const id = randomInt(0, 0x10000);
    let query: Uint8Array;
    try {
      query = encodeQuery(id, spec.name, spec.type);
    } catch (err) {
      return resolve(timing.done(false, describeError(err)));
    }
    const socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(timing.done(ok, detail));
    };
    const timer = setTimeout(() => finish(false, 'read timeout'), spec.timeoutMs);
    socket.on('error', (err) => finish(false, describeError(err)));
    socket.on('message', (message: Buffer) => {
      const header = decodeHeader(message);
      if (header === undefined || header.id !== id || !header.response) return;
      finish(header.rcode === 0, header.rcode === 0 ? 'NOERROR' : `rcode ${header.rcode}`);
    });
    const send = (): void => {
      socket.connect(target.port, target.host, () => {
        socket.send(query, (err) => {
          if (err) finish(false, describeError(err));
        });
      });
    };
    if (target.bindto !== undefined || target.bindPort !== undefined) socket.bind({ address: target.bindto, port: target.bindPort ?? 0 }, send);
    else send();
  });
}
