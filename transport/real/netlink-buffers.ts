/**
 * Receive buffers of netlink sockets as keepalived sets them (keepalived_netlink.c netlink_set_rx_buf_size):
 * SO_RCVBUF of the size asked, or SO_RCVBUFFORCE with the `_force` keyword (root, past net.core.rmem_max). The
 * `netlink` package sets SO_RCVBUF only and does not give its descriptor: a forced size finds the descriptor from
 * the socket's port id (/proc/net/netlink gives the inode, /proc/self/fd the descriptor).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { receiveBuffer, setReceiveBuffer } from '../../native/index.js';

import type { ReceiveBufferRequest } from '../receive-buffer.js';

export type { ReceiveBufferRequest };

/** The part of a `netlink` package socket (RawNetlinkSocket) this needs. */
export interface PackageNetlinkSocket {
  address(): { port: number };
  setRecvBufferSize(size: number): unknown;
  getRecvBufferSize(): number;
}

/** The descriptor of this process's netlink socket with this port id, if there is one. */
export function netlinkDescriptor(port: number): number | undefined {
  let inode: string | undefined;
  // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode: "Pid" is the port id.
  for (const line of readFileSync('/proc/net/netlink', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 10 && Number(f[2]) === port) inode = f[9];
  }
  if (inode === undefined) return undefined;
  const wanted = `socket:[${inode}]`;
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`) === wanted) return Number(name);
    } catch {
      // closed meanwhile
    }
  }
  return undefined;
}

/** Sizes a `netlink` package socket's receive buffer; returns what the kernel set. Throws when it cannot. */
export function sizePackageSocket(socket: PackageNetlinkSocket, request: ReceiveBufferRequest): number {
  if (!request.force) {
    socket.setRecvBufferSize(request.bytes);
    return socket.getRecvBufferSize();
  }
  const fd = netlinkDescriptor(socket.address().port);
  if (fd === undefined) throw new Error(`no descriptor for netlink port ${socket.address().port}`);
  setReceiveBuffer(fd, request.bytes, true);
  return receiveBuffer(fd);
}
