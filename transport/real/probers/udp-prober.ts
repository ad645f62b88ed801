/**
 * UDP_CHECK (keepalived check_udp.c): send the payload on a connected UDP socket. An ICMP port/host/net
 * unreachable (ECONNREFUSED, EHOSTUNREACH, … on the socket) is a failure. Without require_reply, silence until
 * connect_timeout is a success; with it, a reply is needed, its length within [min_reply_length,
 * max_reply_length], and its first bytes equal to the require_reply data where the mask allows.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ProbeResult, UdpProbeSpec } from '../../prober.js';
import { describeError, startProbe } from './outcome.js';

/** Why a reply fails the checks, or undefined when it passes. */
export function judgeUdpReply(spec: UdpProbeSpec, reply: Uint8Array): string | undefined {
  if (reply.length < spec.minReplyLength || reply.length > spec.maxReplyLength) return `reply length ${reply.length} out of range`;
  const data = spec.replyData;
  if (data === undefined) return undefined;
  const n = Math.min(reply.length, data.length);
  for (let i = 0; i < n; i++) {
    const ignore = spec.replyMask?.[i] ?? 0;
    if (((reply[i]! ^ data[i]!) & ~ignore & 0xff) !== 0) return `reply differs at byte ${i}`;
  }
  return undefined;
}

export function probeUdp(spec: UdpProbeSpec): Promise<ProbeResult> {
  const timing = startProbe();
  return new Promise((resolve) => {
    const { target } = spec;
    const socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(timing.done(ok, detail));
    };
    const timer = setTimeout(
      () => (spec.requireReply ? finish(false, 'no reply') : finish(true, 'no ICMP error before the timeout')),
      spec.timeoutMs,
    );
    socket.on('error', (err) => finish(false, describeError(err)));
    socket.on('message', (message: Buffer) => {
      if (!spec.requireReply) return finish(true, 'reply received');
      const problem = judgeUdpReply(spec, message);
      finish(problem === undefined, problem ?? 'reply matches');
    });
    const send = (): void => {
      socket.connect(target.port, target.host, () => {
        socket.send(spec.payload, (err) => {
          if (err) finish(false, describeError(err));
        });
      });
    };
    if (target.bindto !== undefined || target.bindPort !== undefined) socket.bind({ address: target.bindto, port: target.bindPort ?? 0 }, send);
    else send();
  });
}
