/** A socket receive buffer as a global_defs *_rcv_bufs keyword and its _force ask for it (keepalived_netlink.c). */
export interface ReceiveBufferRequest {
  readonly bytes: number;
  /** SO_RCVBUFFORCE (root, past net.core.rmem_max) rather than SO_RCVBUF. */
  readonly force: boolean;
}

/** The VRRP side's netlink sockets: the notification (monitor) socket and the request (command) socket. */
export interface NetlinkReceiveBuffers {
  readonly monitor?: ReceiveBufferRequest | undefined;
  readonly command?: ReceiveBufferRequest | undefined;
}
