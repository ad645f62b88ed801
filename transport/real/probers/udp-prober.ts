/**
 * UDP_CHECK (keepalived check_udp.c): send the payload on a connected UDP socket. An ICMP port/host/net
 * unreachable (ECONNREFUSED, EHOSTUNREACH, … on the socket) is a failure. Without require_reply, silence until
 * connect_timeout is a success; with it, a reply is needed, its length within [min_reply_length,
 * max_reply_length], and its first bytes equal to the require_reply data where the mask allows.
 */
import type { ProbeResult, UdpProbeSpec } from '../../prober.js';
import { datagramProbe } from './datagram-probe.js';

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
  return datagramProbe({
    target: spec.target,
    timeoutMs: spec.timeoutMs,
    payload: spec.payload,
    silence: spec.requireReply ? { ok: false, detail: 'no reply' } : { ok: true, detail: 'no ICMP error before the timeout' },
    judge: (reply) => {
      if (!spec.requireReply) return { ok: true, detail: 'reply received' };
      const problem = judgeUdpReply(spec, reply);
      return { ok: problem === undefined, detail: problem ?? 'reply matches' };
    },
  });
}
