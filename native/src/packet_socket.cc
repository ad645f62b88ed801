// AF_PACKET transmit of one complete Ethernet frame built by the caller (gratuitous ARP, unsolicited NA).
#include "common.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil {

// sendFrame(ifindex, frame) -> bytes sent. The frame starts with the Ethernet header (dst, src, ethertype).
Napi::Value SendFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsTypedArray()) {
    return ThrowType(env, "sendFrame(ifindex: number, frame: Uint8Array)");
  }
  int ifindex = info[0].As<Napi::Number>().Int32Value();
  Napi::Uint8Array frame = info[1].As<Napi::Uint8Array>();
  if (frame.ByteLength() < ETH_HLEN) return ThrowType(env, "frame shorter than an Ethernet header");
  const uint8_t* bytes = frame.Data();

  // One socket for the life of the process: closing an AF_PACKET socket waits for an RCU grace period
  // (synchronize_net in packet_release), about 10 ms, which would space a burst of gratuitous ARPs apart.
  // Protocol 0: this socket only transmits and never receives a copy of the traffic.
  static int fd = -1;
  if (fd < 0) {
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return ThrowErrno(env, "socket(AF_PACKET)", errno);
  }

  struct sockaddr_ll to;
  std::memset(&to, 0, sizeof(to));
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex;
  std::memcpy(&to.sll_protocol, bytes + 12, 2);  // ethertype, already in network order
  to.sll_halen = ETH_ALEN;
  std::memcpy(to.sll_addr, bytes, ETH_ALEN);

  ssize_t sent = sendto(fd, bytes, frame.ByteLength(), 0, reinterpret_cast<struct sockaddr*>(&to), sizeof(to));
  int err = errno;
  if (sent < 0) return ThrowErrno(env, "sendto(AF_PACKET)", err);
  return Napi::Number::New(env, static_cast<double>(sent));
}

}  // namespace vigil
