/**
 * A probe over Node's net.Socket: the connection to the target (keepalived `bindto` / `bind_port` as its local
 * end) and the probe's one outcome. The first `finish` wins: it clears the timeout, destroys the socket and
 * resolves; a socket error finishes the probe as failed.
 */
import { Socket } from 'node:net';
import { connectTcp } from './checker-socket.js';
import type { Endpoint, ProbeResult } from '../../prober.js';
import { describeError, startProbe } from './outcome.js';

export interface SocketProbe {
  readonly socket: Socket;
  /** Whether the outcome is decided. */
  readonly settled: boolean;
  finish(ok: boolean, detail: string): void;
}

/** `timeoutDetail` is asked when the timeout fires, so it can name the step the probe was waiting at. */
export function socketProbe(
  spec: { readonly target: Endpoint; readonly timeoutMs: number },
  timeoutDetail: () => string,
  resolve: (result: ProbeResult) => void,
): SocketProbe {
  const timing = startProbe();
  const { target } = spec;
  let socket: Socket;
  let refused: unknown;
  try {
    socket = connectTcp(target);
  } catch (err) {
    // bind_if / fwmark refused by the kernel (no such interface, no permission): the probe fails with why.
    refused = err;
    socket = new Socket();
  }
  let settled = false;
  const finish = (ok: boolean, detail: string): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.destroy();
    resolve(timing.done(ok, detail));
  };
  const timer = setTimeout(() => finish(false, timeoutDetail()), spec.timeoutMs);
  socket.once('error', (err) => finish(false, describeError(err)));
  if (refused !== undefined) queueMicrotask(() => finish(false, describeError(refused)));
  return {
    socket,
    get settled() {
      return settled;
    },
    finish,
  };
}
