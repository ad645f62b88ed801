// A raw IPv4 / IPv6 socket for one IP protocol (112 for VRRP, 51 for VRRP inside AH) whose reads are driven by libuv (uv_poll), with
// the ancillary data raw-socket cannot give (hop limit, destination, interface index), and sendmsg with an
// explicit source address (IP_PKTINFO / IPV6_PKTINFO). Opened with protocol 17 it is a UDP socket instead (BFD,
// RFC 5881: the TTL of every packet received, a bound port, sends to a port).
//
// Each wakeup reads one batch (recvmmsg, up to ReceiveBatch::kBatchSize datagrams) and then returns to the event
// loop, so that under a flood the timers (the advertisement sender) run between batches. `start` hands the batch
// over one JS call per packet; `startBatched` in one JS call (a Buffer holding every packet, and a description of
// each in an Int32Array), which is what a flood of bad packets costs least with. A batched socket is also paced
// (read_pacer.h): under a flood its reads are about a millisecond apart, each finding a batch.
#include "common.h"
#include "read_pacer.h"
#include "receive_batch.h"
#include "polled_fd.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

namespace vigil {

namespace {

// startBatched's description of each packet: kMetaStride int32 each, in this order. The packet's bytes are at
// `offset` in the batch's Buffer, preceded by its source and then its destination address (16 bytes each, network
// order; IPv4 in the first 4).
constexpr int kMetaStride = 6;
enum MetaField { kOffset = 0, kLength, kTtl, kIfindex, kSourcePort, kTruncated };
constexpr size_t kAddressBytes = 32;

bool ParseAddress(int family, const std::string& text, void* out) {
  return inet_pton(family, text.c_str(), out) == 1;
}

// One control message (level, type, value) as the whole of msg's control data; msg_control has room for it.
template <typename T>
void PutControl(struct msghdr* msg, int level, int type, const T& value) {
  msg->msg_controllen = CMSG_SPACE(sizeof(T));
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(msg);
  cmsg->cmsg_level = level;
  cmsg->cmsg_type = type;
  cmsg->cmsg_len = CMSG_LEN(sizeof(T));
  std::memcpy(CMSG_DATA(cmsg), &value, sizeof(T));
}

}  // namespace

class RawIpSocket : public PolledFd<RawIpSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RawIpSocket",
                       {
                           InstanceMethod("bindToDevice", &RawIpSocket::BindToDevice),
                           InstanceMethod("setHopLimit", &RawIpSocket::SetHopLimit),
                           InstanceMethod("setMulticastInterface", &RawIpSocket::SetMulticastInterface),
                           InstanceMethod("setMulticastLoop", &RawIpSocket::SetMulticastLoop),
                           InstanceMethod("setChecksumOffset", &RawIpSocket::SetChecksumOffset),
                           InstanceMethod("setHeaderIncluded", &RawIpSocket::SetHeaderIncluded),
                           InstanceMethod("joinGroup", &RawIpSocket::JoinGroup),
                           InstanceMethod("leaveGroup", &RawIpSocket::LeaveGroup),
                           InstanceMethod("send", &RawIpSocket::Send),
                           InstanceMethod("bind", &RawIpSocket::Bind),
                           InstanceMethod("localPort", &RawIpSocket::LocalPort),
                           InstanceMethod("start", &RawIpSocket::Start),
                           InstanceMethod("startBatched", &RawIpSocket::StartBatched),
                           InstanceMethod("receiveDrops", &RawIpSocket::ReceiveDrops),
                           InstanceMethod("readPauses", &RawIpSocket::ReadPauses),
                           InstanceMethod("ref", &RawIpSocket::RefLoop),
                           InstanceMethod("unref", &RawIpSocket::UnrefLoop),
                           InstanceMethod("setReceiveBufferSize", &RawIpSocket::SetReceiveBufferSize),
                           InstanceMethod("receiveBufferSize", &RawIpSocket::ReceiveBufferSize),
                           InstanceMethod("close", &RawIpSocket::Close),
                       });
  }

  // new RawIpSocket(family: 4 | 6, protocol: number, onPacket(bytes, source, destination, ttl, ifindex))
  explicit RawIpSocket(const Napi::CallbackInfo& info) : PolledFd<RawIpSocket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsFunction()) {
      ThrowType(env, "new RawIpSocket(family: 4 | 6, protocol: number, onPacket: Function)");
      return;
    }
    int family = info[0].As<Napi::Number>().Int32Value();
    if (family != 4 && family != 6) {
      ThrowType(env, "family must be 4 or 6");
      return;
    }
    af_ = family == 4 ? AF_INET : AF_INET6;
    int protocol = info[1].As<Napi::Number>().Int32Value();
    on_packet_ = Napi::Persistent(info[2].As<Napi::Function>());

    udp_ = protocol == IPPROTO_UDP;
    fd_ = socket(af_, (udp_ ? SOCK_DGRAM : SOCK_RAW) | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd_ < 0) {
      ThrowErrno(env, udp_ ? "socket(SOCK_DGRAM)" : "socket(SOCK_RAW)", errno);
      return;
    }
    // An IPv6 UDP socket hears IPv6 only, so that an IPv4 one can have the same port.
    int v6only = 1;
    if (udp_ && af_ == AF_INET6) setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
    // RFC 5798 §7.1 needs the TTL / hop limit; the destination tells multicast from unicast, PKTINFO also gives the
    // interface index. (The IPv4 header is delivered with the payload anyway.)
    int on = 1;
    int rc = SetFamilyOption(IP_PKTINFO, on, IPV6_RECVPKTINFO, on);
    if (rc == 0) rc = SetFamilyOption(IP_RECVTTL, on, IPV6_RECVHOPLIMIT, on);
    if (rc < 0) {
      int err = errno;
      CloseFd();
      ThrowErrno(env, "setsockopt(recv ancillary data)", err);
      return;
    }
    // A burst of advertisements (hundreds of VRIDs at once, as keepalived's vrrp_rx_bufs_policy allows for) must
    // not overflow the default receive buffer while the event loop is busy. SO_RCVBUFFORCE passes rmem_max when
    // we are root; otherwise SO_RCVBUF gets what the system allows. Failure here is not fatal.
    AskReceiveBuffer(fd_, 4 << 20);
    // What still overflows it is counted by the kernel and told with the next packet read (receiveDrops).
    setsockopt(fd_, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
  }

  ~RawIpSocket() override { CloseFd(); }

 private:
  friend class PolledFd<RawIpSocket>;  // calls the CloseFd and SetLoopRef below, which also stop the pacer

  // The prologue of a method taking one argument: the socket is open and info[0] passes `is` (else a JS error).
  bool CheckOneArgument(const Napi::CallbackInfo& info, bool (Napi::Value::*is)() const, const char* usage) {
    if (!CheckOpen(info.Env())) return false;
    if (info.Length() >= 1 && (info[0].*is)()) return true;
    ThrowType(info.Env(), usage);
    return false;
  }

  // setsockopt of the socket's family: the IPv4 option (IPPROTO_IP) or the IPv6 one, each with a value of its type.
  template <typename V4, typename V6>
  int SetFamilyOption(int v4_name, const V4& v4, int v6_name, const V6& v6) {
    return af_ == AF_INET ? setsockopt(fd_, IPPROTO_IP, v4_name, &v4, sizeof(v4)) : setsockopt(fd_, IPPROTO_IPV6, v6_name, &v6, sizeof(v6));
  }

  // undefined, or the errno of a failed setsockopt (rc < 0) thrown.
  static Napi::Value OptionResult(Napi::Env env, int rc, const char* what) {
    return rc < 0 ? ThrowErrno(env, what, errno) : env.Undefined();
  }

  Napi::Value BindToDevice(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOneArgument(info, &Napi::Value::IsString, "bindToDevice(name: string)")) return env.Undefined();
    std::string name = info[0].As<Napi::String>().Utf8Value();
    int rc = setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(), static_cast<socklen_t>(name.size() + 1));
    return OptionResult(env, rc, "setsockopt(SO_BINDTODEVICE)");
  }

  // Unicast and multicast TTL / hop limit (255 for VRRP, RFC 5798 §5.1.1.3, §5.1.2.3; keepalived's unicast_ttl
  // takes 0..255). IPv6 takes 0; the kernel refuses an IPv4 IP_TTL of 0 (EINVAL): that needs IP_HDRINCL.
  Napi::Value SetHopLimit(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOneArgument(info, &Napi::Value::IsNumber, "setHopLimit(n: number)")) return env.Undefined();
    int hops = info[0].As<Napi::Number>().Int32Value();
    if (hops < 0 || hops > 255) return ThrowType(env, "hop limit must be 0..255");
    unsigned char multicast_ttl = static_cast<unsigned char>(hops);  // IPv4's multicast TTL is one byte
    int rc = SetFamilyOption(IP_TTL, hops, IPV6_UNICAST_HOPS, hops);
    if (rc == 0) rc = SetFamilyOption(IP_MULTICAST_TTL, multicast_ttl, IPV6_MULTICAST_HOPS, hops);
    return OptionResult(env, rc, "setsockopt(hop limit)");
  }

  Napi::Value SetMulticastInterface(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOneArgument(info, &Napi::Value::IsNumber, "setMulticastInterface(ifindex: number)")) return env.Undefined();
    int ifindex = info[0].As<Napi::Number>().Int32Value();
    struct ip_mreqn mreq;
    std::memset(&mreq, 0, sizeof(mreq));
    mreq.imr_ifindex = ifindex;
    return OptionResult(env, SetFamilyOption(IP_MULTICAST_IF, mreq, IPV6_MULTICAST_IF, ifindex), "setsockopt(MULTICAST_IF)");
  }

  Napi::Value SetMulticastLoop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOneArgument(info, &Napi::Value::IsBoolean, "setMulticastLoop(on: boolean)")) return env.Undefined();
    int on = info[0].As<Napi::Boolean>().Value() ? 1 : 0;
    unsigned char loop = static_cast<unsigned char>(on);  // one byte for IPv4
    return OptionResult(env, SetFamilyOption(IP_MULTICAST_LOOP, loop, IPV6_MULTICAST_LOOP, on), "setsockopt(MULTICAST_LOOP)");
  }

  // IPv6 only: the kernel computes (and on receive verifies) the checksum at this offset, pseudo-header included.
  Napi::Value SetChecksumOffset(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOneArgument(info, &Napi::Value::IsNumber, "setChecksumOffset(offset: number)")) return env.Undefined();
    if (af_ != AF_INET6) return ThrowType(env, "setChecksumOffset is IPv6 only");
    int offset = info[0].As<Napi::Number>().Int32Value();
    return OptionResult(env, setsockopt(fd_, IPPROTO_IPV6, IPV6_CHECKSUM, &offset, sizeof(offset)), "setsockopt(IPV6_CHECKSUM)");
  }

  // IPv4 only: IP_HDRINCL, the caller writes the IP header (AH authenticates fields the kernel would otherwise
  // choose, such as the identification). The kernel still fills the header checksum and the total length.
  Napi::Value SetHeaderIncluded(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsBoolean()) return ThrowType(env, "setHeaderIncluded(on: boolean)");
    if (af_ != AF_INET) return ThrowType(env, "setHeaderIncluded is IPv4 only");
    int on = info[0].As<Napi::Boolean>().Value() ? 1 : 0;
    if (setsockopt(fd_, IPPROTO_IP, IP_HDRINCL, &on, sizeof(on)) < 0) {
      return ThrowErrno(env, "setsockopt(IP_HDRINCL)", errno);
    }
    return env.Undefined();
  }

  Napi::Value Membership(const Napi::CallbackInfo& info, bool join) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
      return ThrowType(env, "joinGroup/leaveGroup(group: string, ifindex: number)");
    }
    std::string group = info[0].As<Napi::String>().Utf8Value();
    int ifindex = info[1].As<Napi::Number>().Int32Value();
    int rc;
    if (af_ == AF_INET) {
      // ip_mreqn with the interface index: 0.0.0.0 / index 0 fails (ENODEV) in a namespace without a default route.
      struct ip_mreqn mreq;
      std::memset(&mreq, 0, sizeof(mreq));
      if (!ParseAddress(AF_INET, group, &mreq.imr_multiaddr)) return ThrowType(env, "bad IPv4 group address");
      mreq.imr_ifindex = ifindex;
      rc = setsockopt(fd_, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mreq, sizeof(mreq));
    } else {
      struct ipv6_mreq mreq;
      std::memset(&mreq, 0, sizeof(mreq));
      if (!ParseAddress(AF_INET6, group, &mreq.ipv6mr_multiaddr)) return ThrowType(env, "bad IPv6 group address");
      mreq.ipv6mr_interface = static_cast<unsigned>(ifindex);
      rc = setsockopt(fd_, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &mreq, sizeof(mreq));
    }
    if (rc < 0) return ThrowErrno(env, join ? "setsockopt(ADD_MEMBERSHIP)" : "setsockopt(DROP_MEMBERSHIP)", errno);
    return env.Undefined();
  }

  // bind(address: string ('' = any), port: number): UDP sockets (BFD's listener, a session's source port).
  Napi::Value Bind(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) return ThrowType(env, "bind(address: string, port: number)");
    std::string address = info[0].As<Napi::String>().Utf8Value();
    int port = info[1].As<Napi::Number>().Int32Value();
    if (port < 0 || port > 65535) return ThrowType(env, "port must be 0..65535");
    struct sockaddr_storage at;
    std::memset(&at, 0, sizeof(at));
    socklen_t len;
    if (af_ == AF_INET) {
      auto* sin = reinterpret_cast<struct sockaddr_in*>(&at);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(static_cast<uint16_t>(port));
      if (!address.empty() && !ParseAddress(AF_INET, address, &sin->sin_addr)) return ThrowType(env, "bad IPv4 address");
      len = sizeof(*sin);
    } else {
      auto* sin6 = reinterpret_cast<struct sockaddr_in6*>(&at);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(static_cast<uint16_t>(port));
      if (!address.empty() && !ParseAddress(AF_INET6, address, &sin6->sin6_addr)) return ThrowType(env, "bad IPv6 address");
      len = sizeof(*sin6);
    }
    if (bind(fd_, reinterpret_cast<struct sockaddr*>(&at), len) < 0) return ThrowErrno(env, "bind", errno);
    return env.Undefined();
  }

  // The port the socket is bound to (getsockname), 0 when unbound.
  Napi::Value LocalPort(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    struct sockaddr_storage at;
    socklen_t len = sizeof(at);
    if (getsockname(fd_, reinterpret_cast<struct sockaddr*>(&at), &len) < 0) return ThrowErrno(env, "getsockname", errno);
    uint16_t port = af_ == AF_INET ? reinterpret_cast<struct sockaddr_in*>(&at)->sin_port : reinterpret_cast<struct sockaddr_in6*>(&at)->sin6_port;
    return Napi::Number::New(env, ntohs(port));
  }

  Napi::Value JoinGroup(const Napi::CallbackInfo& info) { return Membership(info, true); }
  Napi::Value LeaveGroup(const Napi::CallbackInfo& info) { return Membership(info, false); }

  // send(bytes, destination, ifindex, source?) -> bytes sent. ifindex scopes link-local / multicast destinations
  // and picks the outgoing interface; source ('' or absent: the kernel's choice) must be one of our addresses.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsString() || !info[2].IsNumber()) {
      return ThrowType(env, "send(bytes: Uint8Array, destination: string, ifindex: number, source?: string, port?: number)");
    }
    // The destination port (UDP sockets); raw sockets take 0.
    uint16_t port = info.Length() >= 5 && info[4].IsNumber() ? htons(static_cast<uint16_t>(info[4].As<Napi::Number>().Int32Value())) : 0;
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    std::string destination = info[1].As<Napi::String>().Utf8Value();
    int ifindex = info[2].As<Napi::Number>().Int32Value();
    std::string source;
    if (info.Length() >= 4 && info[3].IsString()) source = info[3].As<Napi::String>().Utf8Value();

    struct sockaddr_storage to;
    std::memset(&to, 0, sizeof(to));
    socklen_t to_len;
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    std::memset(control, 0, sizeof(control));
    struct msghdr msg;
    std::memset(&msg, 0, sizeof(msg));
    struct iovec iov;
    iov.iov_base = bytes.Data();
    iov.iov_len = bytes.ByteLength();
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;

    if (af_ == AF_INET) {
      auto* sin = reinterpret_cast<struct sockaddr_in*>(&to);
      sin->sin_family = AF_INET;
      sin->sin_port = port;
      if (!ParseAddress(AF_INET, destination, &sin->sin_addr)) return ThrowType(env, "bad IPv4 destination");
      to_len = sizeof(*sin);
      struct in_pktinfo pktinfo;
      std::memset(&pktinfo, 0, sizeof(pktinfo));
      pktinfo.ipi_ifindex = ifindex;
      if (!source.empty() && !ParseAddress(AF_INET, source, &pktinfo.ipi_spec_dst)) {
        return ThrowType(env, "bad IPv4 source");
      }
      PutControl(&msg, IPPROTO_IP, IP_PKTINFO, pktinfo);
    } else {
      auto* sin6 = reinterpret_cast<struct sockaddr_in6*>(&to);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = port;
      if (!ParseAddress(AF_INET6, destination, &sin6->sin6_addr)) return ThrowType(env, "bad IPv6 destination");
      if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) || IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr)) {
        sin6->sin6_scope_id = static_cast<uint32_t>(ifindex);
      }
      to_len = sizeof(*sin6);
      struct in6_pktinfo pktinfo;
      std::memset(&pktinfo, 0, sizeof(pktinfo));
      pktinfo.ipi6_ifindex = static_cast<unsigned>(ifindex);
      if (!source.empty() && !ParseAddress(AF_INET6, source, &pktinfo.ipi6_addr)) {
        return ThrowType(env, "bad IPv6 source");
      }
      PutControl(&msg, IPPROTO_IPV6, IPV6_PKTINFO, pktinfo);
    }
    msg.msg_name = &to;
    msg.msg_namelen = to_len;

    ssize_t sent = sendmsg(fd_, &msg, 0);
    if (sent < 0) return ThrowErrno(env, "sendmsg", errno);
    return Napi::Number::New(env, static_cast<double>(sent));
  }

  // startBatched(meta: Int32Array, onBatch(data: Buffer, count: number)): like start, but each batch is one call.
  // `meta` (ReceiveBatch::kBatchSize * 6 int32 at least) is filled before each call and read by it there and then.
  Napi::Value StartBatched(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsFunction() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        info[0].As<Napi::TypedArray>().ElementLength() < static_cast<size_t>(ReceiveBatch::kBatchSize * kMetaStride)) {
      return ThrowType(env, "startBatched(meta: Int32Array(64 * 6), onBatch: Function)");
    }
    if (poll_ != nullptr) return env.Undefined();
    meta_ = Napi::Persistent(info[0].As<Napi::Object>());
    on_batch_ = Napi::Persistent(info[1].As<Napi::Function>());
    Start(info);
    if (poll_ != nullptr) pacer_.Init(env, poll_, &RawIpSocket::OnReadable);
    return env.Undefined();
  }

  // Reads followed by a pause because packets came faster than one read per 5 ms (read_pacer.h).
  Napi::Value ReadPauses(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(pacer_.Pauses())); }

  // Datagrams the kernel dropped because the receive queue was full, since the socket was opened (as last told
  // with a packet read: SO_RXQ_OVFL).
  Napi::Value ReceiveDrops(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(drops_)); }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (poll_ != nullptr) return env.Undefined();
    Watch(env, &RawIpSocket::OnReadable);
    return env.Undefined();
  }

  void SetLoopRef(bool on) {
    PolledFd::SetLoopRef(on);
    pacer_.SetRef(on);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    // Drop the listener: it usually closes over the owner of this socket, and a strong native reference to it
    // would keep both alive forever.
    on_packet_.Reset();
    on_batch_.Reset();
    meta_.Reset();
    return info.Env().Undefined();
  }

  void CloseFd() {
    pacer_.Close();
    PolledFd::CloseFd();
  }


  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<RawIpSocket*>(handle->data);
    if (self == nullptr || self->fd_ < 0) return;
    // A pending socket error stopped the watch: clear it and keep reading (a deaf channel is a split brain).
    if (status < 0) ResumeAfterPollError(self->poll_, self->fd_, &RawIpSocket::OnReadable);
    int got = self->Drain();
    self->pacer_.AfterRead(got, got == ReceiveBatch::kBatchSize);  // nothing once the listener closed the socket
  }

  // Reads one batch and hands it over; returns how many packets it read.
  int Drain() {
    ReceiveBatch& batch = ReceiveBatch::ForThisThread();
    int got = batch.Receive(fd_, af_, &drops_);
    if (got == 0) return 0;  // EAGAIN (drained) or a transient error: wait for the next wakeup
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (!on_batch_.IsEmpty()) {
      DeliverBatch(env, batch, got);
      return got;
    }
    for (int i = 0; i < got && fd_ >= 0 && !on_packet_.IsEmpty(); i++) {
      if (!DeliverOne(env, batch, i)) break;
    }
    return got;
  }

  // One call for the whole batch: the bytes in one Buffer, the description of each packet in meta_.
  void DeliverBatch(Napi::Env env, const ReceiveBatch& batch, int got) {
    size_t total = 0;
    for (int i = 0; i < got; i++) total += kAddressBytes + batch.Info(i).length;
    Napi::Buffer<uint8_t> data = Napi::Buffer<uint8_t>::New(env, total);
    Napi::TypedArray meta_array = meta_.Value().As<Napi::TypedArray>();
    auto* meta = reinterpret_cast<int32_t*>(static_cast<uint8_t*>(meta_array.ArrayBuffer().Data()) + meta_array.ByteOffset());
    uint8_t* out = data.Data();
    size_t at = 0;
    for (int i = 0; i < got; i++) {
      const ReceivedInfo& info = batch.Info(i);
      std::memcpy(out + at, info.source, 16);
      std::memcpy(out + at + 16, info.destination, 16);
      at += kAddressBytes;
      std::memcpy(out + at, batch.Data(i), info.length);
      int32_t* m = meta + i * kMetaStride;
      m[kOffset] = static_cast<int32_t>(at);
      m[kLength] = static_cast<int32_t>(info.length);
      m[kTtl] = info.ttl;
      m[kIfindex] = info.ifindex;
      m[kSourcePort] = info.source_port;
      m[kTruncated] = info.truncated ? 1 : 0;
      at += info.length;
    }
    on_batch_.MakeCallback(Value(), {data, Napi::Number::New(env, got)});
    RethrowPending(env);
  }

  // The packet-at-a-time listener for packet `i`; false when it threw (the rest of the batch is not delivered).
  bool DeliverOne(Napi::Env env, const ReceiveBatch& batch, int i) {
    const ReceivedInfo& info = batch.Info(i);
    char source[INET6_ADDRSTRLEN] = "";
    char destination[INET6_ADDRSTRLEN] = "";
    inet_ntop(af_, info.source, source, sizeof(source));
    if (info.has_destination) inet_ntop(af_, info.destination, destination, sizeof(destination));
    Napi::HandleScope scope(env);
    on_packet_.MakeCallback(Value(), {
                                         Napi::Buffer<uint8_t>::Copy(env, batch.Data(i), info.length),
                                         Napi::String::New(env, source),
                                         Napi::String::New(env, destination),
                                         Napi::Number::New(env, info.ttl),
                                         Napi::Number::New(env, info.ifindex),
                                         Napi::Number::New(env, udp_ ? info.source_port : 0),
                                     });
    return !RethrowPending(env);
  }

  int af_ = AF_INET;
  bool udp_ = false;
  uint32_t drops_ = 0;
  ReadPacer pacer_;
  Napi::FunctionReference on_packet_;
  Napi::FunctionReference on_batch_;
  Napi::ObjectReference meta_;
};

void InitRawIpSocket(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = RawIpSocket::Define(env);
  exports.Set("RawIpSocket", ctor);
}

}  // namespace vigil
