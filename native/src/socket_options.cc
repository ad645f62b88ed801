// keepalived's checker `bind_if` and `fwmark` (check_api.c co_* options): SO_BINDTODEVICE and SO_MARK on a
// checker's socket. socketWithOptions makes a non-blocking socket with them set before anything is sent (a TCP
// connect's SYN is already routed by the interface and mark); setSocketOptions sets them on a socket Node made
// (a UDP socket, before its first datagram).
#include "common.h"

#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace vigil {

// Sets the device (empty: none) and the mark (negative: none) on fd; 0 or an errno.
static int Apply(int fd, const std::string& device, int64_t mark, const char** what) {
  if (!device.empty()) {
    *what = "setsockopt(SO_BINDTODEVICE)";
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size() + 1)) < 0) return errno;
  }
  if (mark >= 0) {
    uint32_t value = static_cast<uint32_t>(mark);
    *what = "setsockopt(SO_MARK)";
    if (setsockopt(fd, SOL_SOCKET, SO_MARK, &value, sizeof(value)) < 0) return errno;
  }
  return 0;
}

static bool ReadOptions(const Napi::CallbackInfo& info, size_t at, std::string* device, int64_t* mark) {
  if (info.Length() < at + 2 || !info[at].IsString() || !info[at + 1].IsNumber()) return false;
  *device = info[at].As<Napi::String>().Utf8Value();
  *mark = info[at + 1].As<Napi::Number>().Int64Value();
  return device->size() < IFNAMSIZ && *mark <= 0xffffffffLL;
}

// socketWithOptions(family: 4 | 6, type: 'tcp' | 'udp', device: string, mark: number) → fd (non-blocking,
// close-on-exec). The caller owns the fd (Node's net.Socket({ fd }) takes it over).
static Napi::Value SocketWithOptions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string device;
  int64_t mark = -1;
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString() || !ReadOptions(info, 2, &device, &mark)) {
    return ThrowType(env, "socketWithOptions(family: 4 | 6, type: 'tcp' | 'udp', device: string, mark: number)");
  }
  int family = info[0].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
  std::string type = info[1].As<Napi::String>().Utf8Value();
  int fd = socket(family, (type == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, "socket", errno);
  const char* what = "";
  int err = Apply(fd, device, mark, &what);
  if (err != 0) {
    close(fd);
    return ThrowErrno(env, what, err);
  }
  return Napi::Number::New(env, fd);
}

// setSocketOptions(fd: number, device: string, mark: number): on a socket that exists already.
static Napi::Value SetSocketOptions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string device;
  int64_t mark = -1;
  if (info.Length() < 1 || !info[0].IsNumber() || !ReadOptions(info, 1, &device, &mark)) {
    return ThrowType(env, "setSocketOptions(fd: number, device: string, mark: number)");
  }
  const char* what = "";
  int err = Apply(info[0].As<Napi::Number>().Int32Value(), device, mark, &what);
  if (err != 0) return ThrowErrno(env, what, err);
  return env.Undefined();
}

void InitSocketOptions(Napi::Env env, Napi::Object exports) {
  exports.Set("socketWithOptions", Napi::Function::New(env, SocketWithOptions, "socketWithOptions"));
  exports.Set("setSocketOptions", Napi::Function::New(env, SetSocketOptions, "setSocketOptions"));
}

}  // namespace vigil
