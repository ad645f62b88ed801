/**
 * TCP_CHECK over Node's net.Socket: the fallback where the native connector (native-tcp-prober.ts) is not built,
 * and for targets it does not take (host names, scoped IPv6 addresses).
 */
import type { ProbeResult, TcpProbeSpec } from '../../prober.js';
import { socketProbe } from './socket-probe.js';

export function probeTcpSocket(spec: TcpProbeSpec): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const probe = socketProbe(spec, () => 'connect timeout', resolve);
    probe.socket.once('connect', () => probe.finish(true, 'connected'));
  });
}
