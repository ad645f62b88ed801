/**
 * TCP_CHECK: a TCP connection that completes within connect_timeout is a success; it is closed at once. The native
 * connector does it when the addon is built and the target is an IP literal; Node's net.Socket otherwise.
 */
import type { ProbeResult, TcpProbeSpec } from '../../prober.js';
import { NativeTcpEngine, nativeTcpEngine } from './native-tcp-prober.js';
import { probeTcpSocket } from './socket-tcp-prober.js';

export function probeTcp(spec: TcpProbeSpec): Promise<ProbeResult> {
  return new Promise((resolve) => probeTcpWith(spec, resolve));
}

/**
 * The same probe answered through a callback (no Promise per probe on the native path). True when the native
 * connector took it: its deadline heap answers by connect_timeout.
 */
export function probeTcpWith(spec: TcpProbeSpec, done: (result: ProbeResult) => void): boolean {
  const engine = nativeTcpEngine();
  if (engine !== undefined && NativeTcpEngine.takes(spec)) {
    engine.probe(spec, done);
    return true;
  }
  void probeTcpSocket(spec).then(done);
  return false;
}
