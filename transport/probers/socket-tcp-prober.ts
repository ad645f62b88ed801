/**
 * TCP_CHECK over Node's net.Socket: the fallback where the native connector (native-tcp-prober.ts) is not built,
 * and for targets it does not take (host names, scoped IPv6 addresses).
 */
import { connect } from 'node:net';
import type { ProbeResult, TcpProbeSpec } from './prober.js';
import { describeError, startProbe } from './outcome.js';

export function probeTcpSocket(spec: TcpProbeSpec): Promise<ProbeResult> {
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
