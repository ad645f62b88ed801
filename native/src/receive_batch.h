// Up to kBatchSize datagrams read from one socket with a single recvmmsg, and what their ancillary data says
// (TTL / hop limit, destination and interface from PKTINFO, the kernel's drop counter from SO_RXQ_OVFL). One
// system call per batch instead of one per packet: under a flood of bad packets the receive path's cost is
// dominated by what is paid per wakeup and per call into JS, not by the checks.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

namespace vigil {

// What one received datagram says about itself besides its bytes.
struct ReceivedInfo {
  uint32_t length;  // bytes in the slot (at most kSlotSize)
  bool truncated;   // longer than the slot: the rest is lost (MSG_TRUNC)
  int ttl;          // -1: the kernel gave none
  int ifindex;
  int source_port;  // UDP; 0 for raw sockets
  uint8_t source[16];       // network order; IPv4 in the first 4 bytes
  uint8_t destination[16];  // from PKTINFO; zero when absent
  bool has_destination;
};

class ReceiveBatch {
 public:
  static constexpr int kBatchSize = 64;
  // Larger than any VRRP packet (255 IPv6 addresses: 4088 bytes, plus IP options and AH) and a jumbo frame.
  static constexpr size_t kSlotSize = 9216;

  // The calling thread's batch (about 600 kB, made on first use): sockets are read one at a time on their loop's
  // thread, and what a batch holds is handed on before the next read.
  static ReceiveBatch& ForThisThread() {
    static thread_local ReceiveBatch* batch = new ReceiveBatch();
    return *batch;
  }

  // Reads what is queued on `fd` (of family `af`), up to kBatchSize datagrams, without blocking. Returns how many
  // (0: none, or an error such as EAGAIN; the caller waits for the next wakeup either way). `drops` is updated to
  // the socket's drop counter when a datagram carries it (SO_RXQ_OVFL: datagrams dropped because the receive
  // queue was full, since the socket was opened; the kernel attaches it only once it is not zero).
  int Receive(int fd, int af, uint32_t* drops) {
    af_ = af;
    drops_ = drops;
    int got = recvmmsg(fd, msgs_, kBatchSize, MSG_DONTWAIT, nullptr);
    if (got <= 0) return 0;
    for (int i = 0; i < got; i++) Describe(i);
    // The kernel wrote the lengths of what it filled in: the slots used are made ready again (the others are).
    for (int i = 0; i < got; i++) Reset(i);
    if (got < kBatchSize) Reset(got);  // the one that ended the batch, should the kernel have touched it
    return got;
  }

  const uint8_t* Data(int i) const { return data_[i]; }
  const ReceivedInfo& Info(int i) const { return info_[i]; }

 private:
  ReceiveBatch() {
    for (int i = 0; i < kBatchSize; i++) {
      iov_[i].iov_base = data_[i];
      iov_[i].iov_len = kSlotSize;
      std::memset(&msgs_[i].msg_hdr, 0, sizeof(msgs_[i].msg_hdr));
      msgs_[i].msg_hdr.msg_name = &from_[i];
      msgs_[i].msg_hdr.msg_iov = &iov_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
      msgs_[i].msg_hdr.msg_control = control_[i];
      Reset(i);
    }
  }

  void Reset(int i) {
    msgs_[i].msg_hdr.msg_namelen = sizeof(from_[i]);
    msgs_[i].msg_hdr.msg_controllen = sizeof(control_[i]);
    msgs_[i].msg_hdr.msg_flags = 0;
    msgs_[i].msg_len = 0;
  }

  void Describe(int i) {
    ReceivedInfo& info = info_[i];
    const struct msghdr& m = msgs_[i].msg_hdr;
    info.truncated = (m.msg_flags & MSG_TRUNC) != 0;
    info.length = msgs_[i].msg_len > kSlotSize ? static_cast<uint32_t>(kSlotSize) : msgs_[i].msg_len;
    info.ttl = -1;
    info.ifindex = 0;
    info.source_port = 0;
    std::memset(info.source, 0, sizeof(info.source));
    std::memset(info.destination, 0, sizeof(info.destination));
    info.has_destination = false;
    if (af_ == AF_INET) {
      const auto* sin = reinterpret_cast<const struct sockaddr_in*>(&from_[i]);
      std::memcpy(info.source, &sin->sin_addr, 4);
      info.source_port = ntohs(sin->sin_port);
    } else {
      const auto* sin6 = reinterpret_cast<const struct sockaddr_in6*>(&from_[i]);
      std::memcpy(info.source, &sin6->sin6_addr, 16);
      info.source_port = ntohs(sin6->sin6_port);
    }
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(const_cast<struct msghdr*>(&m), c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        struct in_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(c), sizeof(pi));
        info.ifindex = pi.ipi_ifindex;
        std::memcpy(info.destination, &pi.ipi_addr, 4);  // the header's destination
        info.has_destination = true;
      } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                 (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
        int v;
        std::memcpy(&v, CMSG_DATA(c), sizeof(v));
        info.ttl = v;
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        struct in6_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(c), sizeof(pi));
        info.ifindex = static_cast<int>(pi.ipi6_ifindex);
        std::memcpy(info.destination, &pi.ipi6_addr, 16);
        info.has_destination = true;
      } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
        uint32_t v;
        std::memcpy(&v, CMSG_DATA(c), sizeof(v));
        if (drops_ != nullptr) *drops_ = v;
      }
    }
  }

  int af_ = AF_INET;
  uint32_t* drops_ = nullptr;
  struct mmsghdr msgs_[kBatchSize];
  struct iovec iov_[kBatchSize];
  struct sockaddr_storage from_[kBatchSize];
  alignas(struct cmsghdr) char control_[kBatchSize][256];
  ReceivedInfo info_[kBatchSize];
  uint8_t data_[kBatchSize][kSlotSize];
};

}  // namespace vigil
