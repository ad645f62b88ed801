// Interface index and hardware address lookups by name (in the caller's network namespace).
#include "common.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil {

// interfaceIndex(name) -> index, or 0 when there is no such interface.
Napi::Value InterfaceIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowType(env, "interfaceIndex(name: string)");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Number::New(env, if_nametoindex(name.c_str()));
}

// interfaceMac(name) -> Buffer of 6 bytes (SIOCGIFHWADDR).
Napi::Value InterfaceMac(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowType(env, "interfaceMac(name: string)");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name.size() >= IFNAMSIZ) return ThrowType(env, "interface name too long");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, "socket", errno);
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof(ifr));
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
  int err = errno;
  close(fd);
  if (rc < 0) return ThrowErrno(env, "ioctl(SIOCGIFHWADDR)", err);
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(ifr.ifr_hwaddr.sa_data), 6);
}

}  // namespace vigil
