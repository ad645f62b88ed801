// SO_RCVBUF / SO_RCVBUFFORCE on a socket, as keepalived sets its VRRP and netlink sockets' receive buffers.
#pragma once

namespace vigil {

// Asks for a receive buffer of `bytes` (the kernel doubles it): with `force`, SO_RCVBUFFORCE (root, past
// net.core.rmem_max), else SO_RCVBUF (capped at rmem_max). Returns 0, or the errno of the failed setsockopt.
int SetReceiveBuffer(int fd, int bytes, bool force);

// A buffer asked for when a socket is opened: SO_RCVBUFFORCE where we may (root), else SO_RCVBUF. Failure is not
// fatal (the socket keeps the default).
inline void AskReceiveBuffer(int fd, int bytes) {
  if (SetReceiveBuffer(fd, bytes, true) != 0) SetReceiveBuffer(fd, bytes, false);
}

// The receive buffer the kernel set (getsockopt SO_RCVBUF), or -errno.
int ReceiveBuffer(int fd);

}  // namespace vigil
