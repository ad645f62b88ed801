// One fd watched for readability on the calling thread's libuv loop: how every vigil_native class that hands the
// kernel's answers to JS (raw sockets, the TCP connector's epoll fd, the timerfd) hears that they are there.
#pragma once

#include "common.h"

#include <sys/socket.h>
#include <uv.h>

namespace vigil {

// Starts watching `fd`; the handle's data is `owner`. nullptr, with a JS error thrown, when libuv refuses.
inline uv_poll_t* WatchReadable(Napi::Env env, int fd, void* owner, uv_poll_cb callback) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    ThrowErrno(env, "napi_get_uv_event_loop", EINVAL);
    return nullptr;
  }
  auto* poll = new uv_poll_t;
  int rc = uv_poll_init(loop, poll, fd);
  if (rc != 0) {
    delete poll;
    ThrowErrno(env, "uv_poll_init", -rc);
    return nullptr;
  }
  poll->data = owner;
  rc = uv_poll_start(poll, UV_READABLE, callback);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(poll), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    ThrowErrno(env, "uv_poll_start", -rc);
    return nullptr;
  }
  return poll;
}

// libuv stops a watch when poll() reports POLLERR (a pending socket error: ENOBUFS on a netlink socket, an ICMP
// error on a socket that asked for them) and calls back with UV_EBADF (uv__poll_io): a socket that is fine again at
// once would never be read again. This takes the pending error off the socket (SO_ERROR, which clears it), starts
// the watch again, and returns the error (0: there was none).
inline int ResumeAfterPollError(uv_poll_t* poll, int fd, uv_poll_cb callback) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (poll != nullptr) uv_poll_start(poll, UV_READABLE, callback);
  return err;
}

// Stops a watch from WatchReadable at once (no callback after this) and frees the handle when libuv is done.
inline void CloseWatch(uv_poll_t* poll) {
  if (poll == nullptr) return;
  poll->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(poll), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
}

}  // namespace vigil
