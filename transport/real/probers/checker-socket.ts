/**
 * The checker's sockets with keepalived's `bind_if` (SO_BINDTODEVICE) and `fwmark` (SO_MARK), set through the
 * native addon (native/src/socket_options.cc) before anything is sent: a TCP socket is made with them and handed to
 * Node (`new net.Socket({ fd })`), a UDP socket gets them once bound. Without either option, Node's own sockets.
 */
import { connect, isIPv6, Socket } from 'node:net';
import type { Socket as UdpSocket } from 'node:dgram';
import { setSocketOptions, socketWithOptions } from '../../../native/index.js';
import type { Endpoint } from '../../prober.js';

export function hasSocketOptions(target: Endpoint): boolean {
  return target.device !== undefined || target.mark !== undefined;
}

/** A TCP connection to the target from `bindto` / `bind_port`, on `bind_if` with `fwmark`. Throws as the kernel refuses. */
export function connectTcp(target: Endpoint): Socket {
  const options = { host: target.host, port: target.port, localAddress: target.bindto, localPort: target.bindPort };
  if (!hasSocketOptions(target)) return connect(options);
  const family = isIPv6(target.host) ? 6 : 4;
  const fd = socketWithOptions(family, 'tcp', { device: target.device, mark: target.mark });
  return new Socket({ fd, readable: true, writable: true }).connect({ ...options, family });
}

/** The file descriptor of a bound dgram socket (Node keeps its handle behind a symbol). */
function udpFd(socket: UdpSocket): number | undefined {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = state === undefined ? undefined : (socket as unknown as Record<symbol, { handle?: { fd?: unknown } }>)[state]?.handle;
  return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
}

/** `bind_if` / `fwmark` on a bound UDP socket, before its first datagram. Throws as the kernel refuses. */
export function applyToUdp(socket: UdpSocket, target: Endpoint): void {
  if (!hasSocketOptions(target)) return;
  const fd = udpFd(socket);
  if (fd === undefined) throw new Error("bind_if / fwmark: this Node's UDP socket has no file descriptor to set them on");
  setSocketOptions(fd, { device: target.device, mark: target.mark });
}
