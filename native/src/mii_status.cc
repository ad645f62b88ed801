// The PHY's link status through the MII registers (SIOCGMIIPHY / SIOCGMIIREG), as keepalived's linkbeat type MII
// reads it (vrrp_if.c if_mii_probe, if_mii_status): the PHY's address, then the Basic Mode Control Register (a
// transceiver answers something other than 0xffff) and the Basic Mode Status Register twice (its link bit latches
// a loss until read). Drivers without MII (veth, most virtual interfaces) refuse the ioctl.
#include "common.h"

#include <linux/mii.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil {

namespace {

// The MII request travels in the ifreq's union (ifr_ifru), copied in and out to keep to the aliasing rules.
struct mii_ioctl_data MiiData(const struct ifreq& ifr) {
  struct mii_ioctl_data data;
  std::memcpy(&data, &ifr.ifr_ifru, sizeof(data));
  return data;
}

// -1: no such register (the ioctl failed); else the 16-bit value.
int ReadRegister(int fd, struct ifreq* ifr, uint16_t phy, uint16_t reg) {
  struct mii_ioctl_data data = MiiData(*ifr);
  data.phy_id = phy;
  data.reg_num = reg;
  std::memcpy(&ifr->ifr_ifru, &data, sizeof(data));
  if (ioctl(fd, SIOCGMIIREG, ifr) < 0) return -1;
  return MiiData(*ifr).val_out;
}

// -1: the interface has no MII (or no transceiver answers); 1: link up; 0: link down.
int MiiStatus(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return -1;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof(ifr));
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  int result = -1;
  if (ioctl(fd, SIOCGMIIPHY, &ifr) == 0) {
    uint16_t phy = MiiData(ifr).phy_id;
    int bmcr = ReadRegister(fd, &ifr, phy, MII_BMCR);
    int bmsr = ReadRegister(fd, &ifr, phy, MII_BMSR);
    if (bmcr >= 0 && bmcr != 0xffff && bmsr > 0) {
      int again = ReadRegister(fd, &ifr, phy, MII_BMSR);
      result = ((bmsr & BMSR_LSTATUS) != 0 || (again > 0 && (again & BMSR_LSTATUS) != 0)) ? 1 : 0;
    }
  }
  close(fd);
  return result;
}

}  // namespace

// miiLinkStatus(name: string): -1 (no MII), 0 (down) or 1 (up).
Napi::Value MiiLinkStatus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowType(env, "miiLinkStatus(name: string)");
  return Napi::Number::New(env, MiiStatus(info[0].As<Napi::String>().Utf8Value()));
}

}  // namespace vigil
