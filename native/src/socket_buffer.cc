// Receive buffer sizes (socket_buffer.h), and the same for any socket of this process by its descriptor: the
// netlink sockets of the `netlink` package do not give theirs a SO_RCVBUFFORCE (transport/real/netlink-buffers.ts
// finds their descriptor).
#include "socket_buffer.h"

#include "common.h"

#include <sys/socket.h>

namespace vigil {

int SetReceiveBuffer(int fd, int bytes, bool force) {
  if (setsockopt(fd, SOL_SOCKET, force ? SO_RCVBUFFORCE : SO_RCVBUF, &bytes, sizeof(bytes)) < 0) return errno;
  return 0;
}

int ReceiveBuffer(int fd) {
  int size = 0;
  socklen_t len = sizeof(size);
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len) < 0) return -errno;
  return size;
}

// setReceiveBuffer(fd: number, bytes: number, force: boolean): throws the errno of a failed setsockopt.
Napi::Value SetReceiveBufferOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsBoolean()) {
    return ThrowType(env, "setReceiveBuffer(fd: number, bytes: number, force: boolean)");
  }
  bool force = info[2].As<Napi::Boolean>().Value();
  int err = SetReceiveBuffer(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), force);
  return err != 0 ? ThrowErrno(env, force ? "setsockopt(SO_RCVBUFFORCE)" : "setsockopt(SO_RCVBUF)", err) : env.Undefined();
}

// receiveBuffer(fd: number): number
Napi::Value ReceiveBufferOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return ThrowType(env, "receiveBuffer(fd: number)");
  int size = ReceiveBuffer(info[0].As<Napi::Number>().Int32Value());
  return size < 0 ? ThrowErrno(env, "getsockopt(SO_RCVBUF)", -size) : Napi::Number::New(env, size);
}

}  // namespace vigil
