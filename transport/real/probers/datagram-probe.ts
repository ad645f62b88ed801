/**
 * A probe over one UDP exchange (UDP_CHECK, DNS_CHECK): a socket of the target's family, bound first to keepalived
 * `bindto` / `bind_port` when given (with `bind_if` / `fwmark` set then), connected to the target (so that an ICMP unreachable comes back as a socket
 * error), the payload sent once. Each reply is judged; the first verdict wins: it clears the timeout, closes the
 * socket and resolves. A socket error is a failure; the timeout gives the `silence` verdict.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Endpoint, ProbeResult } from '../../prober.js';
import { describeError, once, startProbe } from './outcome.js';
import { applyToUdp, hasSocketOptions } from './checker-socket.js';

export interface DatagramVerdict {
  readonly ok: boolean;
  readonly detail: string;
}

export interface DatagramExchange {
  readonly target: Endpoint;
  readonly timeoutMs: number;
  readonly payload: Uint8Array;
  /** The verdict when the timeout passes without one. */
  readonly silence: DatagramVerdict;
  /** A reply's verdict, or undefined to ignore the reply and wait on. */
  judge(reply: Buffer): DatagramVerdict | undefined;
}

export function datagramProbe(exchange: DatagramExchange): Promise<ProbeResult> {
  const timing = startProbe();
  return new Promise((resolve) => {
    const { target } = exchange;
    const socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    const finish = once((ok: boolean, detail: string): void => {
      clearTimeout(timer);
      socket.close();
      resolve(timing.done(ok, detail));
    });
    const timer = setTimeout(() => finish(exchange.silence.ok, exchange.silence.detail), exchange.timeoutMs);
    socket.on('error', (err) => finish(false, describeError(err)));
    socket.on('message', (message: Buffer) => {
      const verdict = exchange.judge(message);
      if (verdict !== undefined) finish(verdict.ok, verdict.detail);
    });
    const send = (): void => {
      try {
        applyToUdp(socket, target);
      } catch (err) {
        return finish(false, describeError(err));
      }
      socket.connect(target.port, target.host, () => {
        socket.send(exchange.payload, (err) => {
          if (err) finish(false, describeError(err));
        });
      });
    };
    // bind_if / fwmark are set on the bound socket (checker-socket.ts), before its one datagram.
    if (target.bindto !== undefined || target.bindPort !== undefined || hasSocketOptions(target)) socket.bind({ address: target.bindto, port: target.bindPort ?? 0 }, send);
    else send();
  });
}
