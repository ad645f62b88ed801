// A netlink socket that listens to multicast groups (rtnetlink's link and address notifications), read on the
// libuv loop: one JS callback per datagram (one or more netlink messages, parsed in JS) and one per error.
//
// Why not the `netlink` package's socket: a receive buffer overrun sets the socket's error (ENOBUFS), which epoll
// reports as POLLERR; libuv then stops the watch and reports UV_EBADF (uv__poll_io), and the package's poll handler
// builds its error with a null syscall name, which throws in C++ and ends the process. Here the pending error is
// taken off the socket (SO_ERROR), reported, and the watch started again: the caller dumps the state afresh.
#include "common.h"
#include "polled_fd.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <vector>

namespace vigil {

namespace {

// Datagrams read per readable wakeup before yielding back to the event loop.
constexpr int kMaxDatagramsPerWakeup = 64;
// A link message with every attribute is a few kB; a datagram of notifications stays well below this.
constexpr size_t kDatagramBuffer = 256 * 1024;

}  // namespace

class NetlinkMonitor : public PolledFd<NetlinkMonitor> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkMonitor",
                       {
                           InstanceMethod("close", &NetlinkMonitor::CloseMethod),
                           InstanceMethod("ref", &NetlinkMonitor::RefLoop),
                           InstanceMethod("unref", &NetlinkMonitor::UnrefLoop),
                           InstanceMethod("receiveBufferSize", &NetlinkMonitor::ReceiveBufferSize),
                           InstanceMethod("setReceiveBufferSize", &NetlinkMonitor::SetReceiveBufferSize),
                       });
  }

  // new NetlinkMonitor(protocol, groups: number[], rcvbuf: number, onData(datagram: Buffer), onError(code, errno))
  explicit NetlinkMonitor(const Napi::CallbackInfo& info) : PolledFd<NetlinkMonitor>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsArray() || !info[2].IsNumber() || !info[3].IsFunction() ||
        !info[4].IsFunction()) {
      ThrowType(env, "new NetlinkMonitor(protocol: number, groups: number[], rcvbuf: number, onData: Function, onError: Function)");
      return;
    }
    int protocol = info[0].As<Napi::Number>().Int32Value();
    Napi::Array groups = info[1].As<Napi::Array>();
    int rcvbuf = info[2].As<Napi::Number>().Int32Value();
    on_data_ = Napi::Persistent(info[3].As<Napi::Function>());
    on_error_ = Napi::Persistent(info[4].As<Napi::Function>());

    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd_ < 0) {
      ThrowErrno(env, "socket(AF_NETLINK)", errno);
      return;
    }
    // The buffer a burst of notifications must fit in. SO_RCVBUFFORCE passes rmem_max when we are root.
    if (rcvbuf > 0) AskReceiveBuffer(fd_, rcvbuf);
    struct sockaddr_nl local;
    std::memset(&local, 0, sizeof(local));
    local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns the port
    if (bind(fd_, reinterpret_cast<struct sockaddr*>(&local), sizeof(local)) < 0) {
      int err = errno;
      CloseFd();
      ThrowErrno(env, "bind(AF_NETLINK)", err);
      return;
    }
    for (uint32_t i = 0; i < groups.Length(); i++) {
      Napi::Value group = groups.Get(i);
      if (!group.IsNumber()) {
        CloseFd();
        ThrowType(env, "groups must be numbers");
        return;
      }
      int g = group.As<Napi::Number>().Int32Value();
      if (setsockopt(fd_, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
        int err = errno;
        CloseFd();
        ThrowErrno(env, "setsockopt(NETLINK_ADD_MEMBERSHIP)", err);
        return;
      }
    }
    buffer_.resize(kDatagramBuffer);
    if (!Watch(env, &NetlinkMonitor::OnReadable)) {
      CloseFd();
      return;
    }
    SetLoopRef(false);  // like the package's sockets: the caller decides (ref())
  }

 private:
  Napi::Value CloseMethod(const Napi::CallbackInfo& info) {
    Release();
    on_data_.Reset();
    on_error_.Reset();
    return info.Env().Undefined();
  }

  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<NetlinkMonitor*>(handle->data);
    if (self == nullptr || self->fd_ < 0) return;
    if (status < 0) {
      // POLLERR: libuv has stopped the watch. The socket's pending error (ENOBUFS: notifications were lost) is
      // read, which clears it, and reported; then the watch starts again.
      int err = ResumeAfterPollError(self->poll_, self->fd_, &NetlinkMonitor::OnReadable);
      if (!self->ReportError(err != 0 ? err : EIO)) return;
      if (self->fd_ < 0) return;  // closed by the listener
    }
    self->Drain();
  }

  // Calls onError(code, errno); false when the listener threw (reported as an uncaught exception).
  bool ReportError(int err) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    const char* name = uv_err_name(-err);
    on_error_.MakeCallback(Value(), {Napi::String::New(env, name != nullptr ? name : "EIO"), Napi::Number::New(env, err)});
    return !RethrowPending(env);
  }

  void Drain() {
    for (int n = 0; n < kMaxDatagramsPerWakeup && fd_ >= 0; n++) {
      struct sockaddr_nl from;
      struct iovec iov;
      iov.iov_base = buffer_.data();
      iov.iov_len = buffer_.size();
      struct msghdr msg;
      std::memset(&msg, 0, sizeof(msg));
      msg.msg_name = &from;
      msg.msg_namelen = sizeof(from);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      ssize_t got = recvmsg(fd_, &msg, MSG_DONTWAIT);
      if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        // ENOBUFS can also come from a read: notifications were lost.
        if (!ReportError(errno)) return;
        continue;
      }
      // Only the kernel speaks on these groups; anything else is not a notification (keepalived checks the same).
      if (msg.msg_namelen != sizeof(from) || from.nl_pid != 0) continue;
      if ((msg.msg_flags & MSG_TRUNC) != 0) {
        if (!ReportError(EMSGSIZE)) return;
        continue;
      }
      Napi::Env env = Env();
      Napi::HandleScope scope(env);
      on_data_.MakeCallback(Value(), {Napi::Buffer<uint8_t>::Copy(env, buffer_.data(), static_cast<size_t>(got))});
      if (RethrowPending(env)) return;
    }
  }

  std::vector<uint8_t> buffer_;
  Napi::FunctionReference on_data_;
  Napi::FunctionReference on_error_;
};

void InitNetlinkMonitor(Napi::Env env, Napi::Object exports) {
  exports.Set("NetlinkMonitor", NetlinkMonitor::Define(env));
}

}  // namespace vigil
