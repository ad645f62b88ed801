// A non-persistent TUN device (IFF_TUN | IFF_NO_PI) for announce_table: vigil's announced routes point at it, and
// the kernel deletes the device, and every route through it, when its last descriptor closes: when vigil exits or
// is killed (SIGKILL included). The descriptor is close-on-exec, so no script vigil starts keeps the device alive.
// The link is set up here (a route through a device that is down is refused). Nothing reads the device: the routes
// are there to be exported by a BGP speaker, not to forward through.
#include "common.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil {

namespace {

// The descriptor, or -errno.
int OpenTun(const std::string& name, int* failed_step) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *failed_step = 0;
    return -errno;
  }
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    *failed_step = 1;
    return -err;
  }
  int control = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int err = 0;
  if (control < 0) {
    err = errno;
  } else {
    if (ioctl(control, SIOCGIFFLAGS, &ifr) < 0) err = errno;
    ifr.ifr_flags |= IFF_UP;
    if (err == 0 && ioctl(control, SIOCSIFFLAGS, &ifr) < 0) err = errno;
    close(control);
  }
  if (err != 0) {
    close(fd);
    *failed_step = 2;
    return -err;
  }
  return fd;
}

}  // namespace

// openTunDevice(name: string): number, the descriptor that keeps the device; close it (or exit) and it is gone.
Napi::Value OpenTunDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowType(env, "openTunDevice(name: string)");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name.empty() || name.size() >= IFNAMSIZ) return ThrowErrno(env, "openTunDevice: name", EINVAL);
  int step = 0;
  int fd = OpenTun(name, &step);
  if (fd < 0) {
    static const char* const kSteps[] = {"open(/dev/net/tun)", "ioctl(TUNSETIFF)", "ioctl(SIOCSIFFLAGS, IFF_UP)"};
    return ThrowErrno(env, kSteps[step], -fd);
  }
  return Napi::Number::New(env, fd);
}

}  // namespace vigil
