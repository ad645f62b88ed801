// An AF_UNIX datagram socket: what sd_notify(3) speaks to the service manager over $NOTIFY_SOCKET (a path, or an
// abstract name written with a leading '@'), which Node's own sockets cannot do. Sending is all the daemon needs;
// bind + receive (with the sender's pid from SCM_CREDENTIALS, as systemd checks it for NotifyAccess=main) serve
// tests that stand in for the service manager.
#include "common.h"
#include "polled_fd.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>

namespace vigil {

namespace {

constexpr size_t kMaxDatagram = 65536;
constexpr int kMaxDatagramsPerWakeup = 64;

// Fills `address` for a path or an '@abstract' name; false when it is empty or does not fit sun_path.
bool UnixAddress(const std::string& text, struct sockaddr_un* address, socklen_t* length) {
  std::memset(address, 0, sizeof(*address));
  address->sun_family = AF_UNIX;
  if (text.empty() || text.size() > sizeof(address->sun_path) - (text[0] == '@' ? 0 : 1)) return false;
  std::memcpy(address->sun_path, text.data(), text.size());
  // An abstract name starts with a NUL byte and is exactly as long as given (no terminating NUL counts).
  if (text[0] == '@') address->sun_path[0] = '\0';
  *length = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + text.size() + (text[0] == '@' ? 0 : 1));
  return true;
}

}  // namespace

class UnixDatagramSocket : public PolledFd<UnixDatagramSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "UnixDatagramSocket",
                       {
                           InstanceMethod("send", &UnixDatagramSocket::Send),
                           InstanceMethod("bind", &UnixDatagramSocket::Bind),
                           InstanceMethod("start", &UnixDatagramSocket::Start),
                           InstanceMethod("close", &UnixDatagramSocket::Close),
                       });
  }

  explicit UnixDatagramSocket(const Napi::CallbackInfo& info) : PolledFd<UnixDatagramSocket>(info) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) ThrowErrno(info.Env(), "socket(AF_UNIX, SOCK_DGRAM)", errno);
  }

 private:
  bool Usable(const Napi::CallbackInfo& info, size_t arguments, const char* usage) {
    if (fd_ < 0) {
      ThrowErrno(info.Env(), "socket closed", EBADF);
      return false;
    }
    if (info.Length() >= arguments && info[0].IsString()) return true;
    ThrowType(info.Env(), usage);
    return false;
  }

  // send(address: string, bytes: Uint8Array) → bytes sent. Never blocks: a full receiver is EAGAIN, thrown.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(info, 2, "send(address: string, bytes: Uint8Array)") || !info[1].IsTypedArray()) {
      return env.IsExceptionPending() ? env.Undefined() : ThrowType(env, "send(address: string, bytes: Uint8Array)");
    }
    struct sockaddr_un address;
    socklen_t length = 0;
    if (!UnixAddress(info[0].As<Napi::String>().Utf8Value(), &address, &length)) return ThrowErrno(env, "sendto: address", EINVAL);
    Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
    ssize_t sent = sendto(fd_, bytes.Data(), bytes.ByteLength(), MSG_NOSIGNAL, reinterpret_cast<struct sockaddr*>(&address), length);
    if (sent < 0) return ThrowErrno(env, "sendto", errno);
    return Napi::Number::New(env, static_cast<double>(sent));
  }

  // bind(address: string): receive at a path or an '@abstract' name, with the senders' credentials (SO_PASSCRED).
  Napi::Value Bind(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(info, 1, "bind(address: string)")) return env.Undefined();
    struct sockaddr_un address;
    socklen_t length = 0;
    if (!UnixAddress(info[0].As<Napi::String>().Utf8Value(), &address, &length)) return ThrowErrno(env, "bind: address", EINVAL);
    if (bind(fd_, reinterpret_cast<struct sockaddr*>(&address), length) < 0) return ThrowErrno(env, "bind", errno);
    int on = 1;
    if (setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0) return ThrowErrno(env, "setsockopt(SO_PASSCRED)", errno);
    return env.Undefined();
  }

  // start(onMessage(bytes: Buffer, pid: number)): one call per datagram, from the event loop (pid -1: none given).
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return ThrowErrno(env, "socket closed", EBADF);
    if (info.Length() < 1 || !info[0].IsFunction()) return ThrowType(env, "start(onMessage: Function)");
    if (poll_ != nullptr) return env.Undefined();
    on_message_ = Napi::Persistent(info[0].As<Napi::Function>());
    Watch(env, &UnixDatagramSocket::OnReadable);
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    on_message_.Reset();
    return info.Env().Undefined();
  }

  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<UnixDatagramSocket*>(handle->data);
    if (self == nullptr || status < 0) return;
    self->Drain();
  }

  void Drain() {
    Napi::Env env = Env();
    static uint8_t buffer[kMaxDatagram];
    for (int n = 0; n < kMaxDatagramsPerWakeup && fd_ >= 0; n++) {
      alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(struct ucred))];
      struct iovec iov = {buffer, sizeof(buffer)};
      struct msghdr msg;
      std::memset(&msg, 0, sizeof(msg));
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      ssize_t got = recvmsg(fd_, &msg, MSG_DONTWAIT);
      if (got < 0) return;
      int pid = -1;
      for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
          struct ucred credentials;
          std::memcpy(&credentials, CMSG_DATA(c), sizeof(credentials));
          pid = static_cast<int>(credentials.pid);
        }
      }
      Napi::HandleScope scope(env);
      on_message_.MakeCallback(Value(), {Napi::Buffer<uint8_t>::Copy(env, buffer, static_cast<size_t>(got)), Napi::Number::New(env, pid)});
      if (RethrowPending(env)) return;
    }
  }

  Napi::FunctionReference on_message_;
};

void InitUnixDatagramSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("UnixDatagramSocket", UnixDatagramSocket::Define(env));
}

}  // namespace vigil
