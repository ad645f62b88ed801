#include "tcp_socket.h"

#include "tcp_outcome.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace vigil {

namespace {

// Parses an IP literal into a sockaddr; false when it is not one of `family`.
bool FillAddress(int family, const std::string& text, int port, sockaddr_storage* out, socklen_t* len) {
  std::memset(out, 0, sizeof(*out));
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, text.c_str(), &sin->sin_addr) != 1) return false;
    *len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, text.c_str(), &sin6->sin6_addr) != 1) return false;
    *len = sizeof(sockaddr_in6);
  }
  return true;
}

}  // namespace

int StartConnect(int af, const std::string& address, int port, const std::string* bind_address, int bind_port, int* fd_out) {
  sockaddr_storage to;
  socklen_t to_len = 0;
  if (port < 0 || port > 65535 || !FillAddress(af, address, port, &to, &to_len)) return EINVAL;

  int fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return errno;
  if (bind_address != nullptr || bind_port != 0) {
    sockaddr_storage from;
    socklen_t from_len = 0;
    std::string from_address = bind_address != nullptr ? *bind_address : (af == AF_INET ? "0.0.0.0" : "::");
    if (bind_port < 0 || bind_port > 65535 || !FillAddress(af, from_address, bind_port, &from, &from_len)) {
      close(fd);
      return EINVAL;
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&from), from_len) < 0) {
      int err = errno;
      close(fd);
      return err;
    }
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), to_len) == 0) {
    // Connected outright (allowed, though Linux answers EINPROGRESS): SettledOutcome then finds it established.
    *fd_out = fd;
    return kPending;
  }
  if (errno != EINPROGRESS) {
    int err = errno;
    close(fd);
    return err;
  }
  *fd_out = fd;
  return kPending;
}

int SettledOutcome(int fd) {
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, 0) != 1) return kPending;
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  if (err == 0 && (p.revents & (POLLERR | POLLHUP)) != 0) err = ECONNRESET;
  return err;
}

}  // namespace vigil
