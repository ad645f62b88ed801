/** TCP_CHECK: a TCP connection that completes within connect_timeout is a success; it is closed at once. */
import { connect } from 'node:net';
import type { ProbeResult, TcpProbeSpec } from './prober.js';
import { describeError, startProbe } from './outcome.js';

export function probeTcp(spec: TcpProbeSpec): Promise<ProbeResult> {
  const timing = startProbe();
  return new Promise((resolve) => {
    const { target } = spec;
    const socket = connect({
      host: target.host,
      port: target.port,
      localAddress: target.bindto,
      localPort: target.bindPort,
    });
    let settled = false;
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(timing.done(ok, detail));
    };
    const timer = setTimeout(() => finish(false, 'connect timeout'), spec.timeoutMs);
    socket.once('connect', () => finish(true, 'connected'));
    socket.once('error', (err) => finish(false, describeError(err)));
  });
}
