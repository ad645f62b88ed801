// TCP_CHECK's connect, without a Node socket per probe: non-blocking socket() + connect() (IPv4 or IPv6, optionally
// bound to a source address: keepalived `bindto` / `bind_port`), completion read from one epoll fd that libuv
// watches with a single uv_poll, SO_ERROR for the outcome, close at once. A min-heap of deadlines drives one
// uv_timer for connect_timeout. Outcomes reach JS in batches: (id, code) pairs written into an Int32Array the
// caller gave, then one call of its callback with the count, so a loop turn that completes a thousand connects makes
// one JS call, not a thousand.
//
// An exchange (HTTP_GET) goes on from there: once connected it writes the request, reads the answer until the peer
// closes, the header's Content-Length is reached or maxBytes are in, and hands the bytes to JS with the outcome.
//
// Outcome codes: 0 connected (answered, for an exchange), > 0 an errno (ECONNREFUSED, EHOSTUNREACH …), -1 the
// timeout elapsed.
#include "common.h"
#include "uv_watch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace vigil {

namespace {

constexpr int kPending = -2;
constexpr int kTimedOut = -1;
constexpr int kEventsPerWait = 256;

uint64_t NowNs() { return uv_hrtime(); }

// Parses an IP literal into a sockaddr; false when it is not one of `family`.
bool FillAddress(int family, const std::string& text, int port, sockaddr_storage* out, socklen_t* len) {
  std::memset(out, 0, sizeof(*out));
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, text.c_str(), &sin->sin_addr) != 1) return false;
    *len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, text.c_str(), &sin6->sin6_addr) != 1) return false;
    *len = sizeof(sockaddr_in6);
  }
  return true;
}

}  // namespace

class TcpConnector : public Napi::ObjectWrap<TcpConnector> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TcpConnector",
                       {
                           InstanceMethod("connect", &TcpConnector::Connect),
                           InstanceMethod("exchange", &TcpConnector::Exchange),
                           InstanceMethod("close", &TcpConnector::Close),
                       });
  }

  // new TcpConnector(results: Int32Array, onResults(count: number, answers: (Buffer | null)[]))
  explicit TcpConnector(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TcpConnector>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsFunction() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        info[0].As<Napi::TypedArray>().ElementLength() < 2) {
      ThrowType(env, "new TcpConnector(results: Int32Array (length >= 2), onResults: Function)");
      return;
    }
    results_ref_ = Napi::Persistent(info[0].As<Napi::Int32Array>());
    on_results_ = Napi::Persistent(info[1].As<Napi::Function>());
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
      ThrowErrno(env, "epoll_create1", errno);
      return;
    }
    poll_ = WatchReadable(env, epoll_fd_, this, &TcpConnector::OnReadable);
    if (poll_ == nullptr) {
      CloseAll();
      return;
    }
    timer_ = new uv_timer_t;
    uv_timer_init(uv_handle_get_loop(reinterpret_cast<uv_handle_t*>(poll_)), timer_);
    timer_->data = this;
    // Neither handle keeps the loop alive while no probe is pending.
    uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
    uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    // A worker thread's environment can end with probes in flight: close the handles while its loop still runs.
    if (napi_add_env_cleanup_hook(env, &TcpConnector::OnEnvCleanup, this) == napi_ok) cleanup_hook_ = true;
  }

  ~TcpConnector() override {
    if (cleanup_hook_) napi_remove_env_cleanup_hook(Env(), &TcpConnector::OnEnvCleanup, this);
    CloseAll();
  }

 private:
  struct Probe {
    int fd = -1;
    int32_t id = 0;
    uint32_t generation = 0;
    // An exchange: the request still to write (from `sent`), the answer so far, and where reading stops.
    bool exchange = false;
    bool connected = false;
    std::string request;
    size_t sent = 0;
    std::string answer;
    size_t max_bytes = 0;
  };
  // (deadline ns, slot | generation << 32), earliest first.
  using Deadline = std::pair<uint64_t, uint64_t>;

  // connect(id, family 4 | 6, address, port, timeoutMs, bindAddress?: string, bindPort?: number): number
  // → -2 while pending (the outcome comes through the callback), or an outcome code known at once.
  Napi::Value Connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (epoll_fd_ < 0) return ThrowErrno(env, "connector closed", EBADF);
    if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString() || !info[3].IsNumber() ||
        !info[4].IsNumber()) {
      return ThrowType(env, "connect(id, family, address, port, timeoutMs, bindAddress?, bindPort?)");
    }
    int fd = -1;
    int code = Open(info, 5, &fd);
    if (code != kPending) return Code(env, code);
    // To a local address (loopback, a namespace's veth) the kernel runs the whole handshake inside connect(): the
    // outcome is already known, so no epoll registration, no wake-up and no second pass are spent on it.
    int early = SettledOutcome(fd);
    if (early != kPending) {
      close(fd);
      return Code(env, early);
    }
    uint32_t slot = AllocateSlot();
    Probe& probe = probes_[slot];
    probe.fd = fd;
    probe.id = info[0].As<Napi::Number>().Int32Value();
    return Code(env, Watch(slot, EPOLLOUT, info[4].As<Napi::Number>().DoubleValue()));
  }

  // exchange(id, family, address, port, timeoutMs, request: Buffer, maxBytes, bindAddress?, bindPort?): number
  // → -2 while pending, or an error code known at once. The answer's bytes come with the outcome.
  Napi::Value Exchange(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (epoll_fd_ < 0) return ThrowErrno(env, "connector closed", EBADF);
    if (info.Length() < 7 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString() || !info[3].IsNumber() ||
        !info[4].IsNumber() || !info[5].IsBuffer() || !info[6].IsNumber()) {
      return ThrowType(env, "exchange(id, family, address, port, timeoutMs, request, maxBytes, bindAddress?, bindPort?)");
    }
    int fd = -1;
    int code = Open(info, 7, &fd);
    if (code != kPending) return Code(env, code);
    uint32_t slot = AllocateSlot();
    Probe& probe = probes_[slot];
    probe.fd = fd;
    probe.id = info[0].As<Napi::Number>().Int32Value();
    probe.exchange = true;
    Napi::Buffer<char> request = info[5].As<Napi::Buffer<char>>();
    probe.request.assign(request.Data(), request.Length());
    probe.max_bytes = static_cast<size_t>(std::max(1.0, info[6].As<Napi::Number>().DoubleValue()));
    uint32_t events = EPOLLOUT;
    int early = SettledOutcome(fd);
    if (early > 0) {
      Release(slot);
      return Code(env, early);
    }
    if (early == 0) {
      // Connected inside connect(): the request goes at once, and the answer is awaited.
      probe.connected = true;
      int err = WriteRequest(probe);
      if (err != 0) {
        Release(slot);
        return Code(env, err);
      }
      events = probe.sent < probe.request.size() ? EPOLLOUT : EPOLLIN;
    }
    return Code(env, Watch(slot, events, info[4].As<Napi::Number>().DoubleValue()));
  }

  // socket(), the optional bind (info[first], info[first + 1]) and a non-blocking connect(): kPending with the fd
  // while the connect is in progress, else the outcome known at once (the socket then closed).
  int Open(const Napi::CallbackInfo& info, size_t first, int* fd_out) {
    int af = info[1].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
    std::string address = info[2].As<Napi::String>().Utf8Value();
    int port = info[3].As<Napi::Number>().Int32Value();
    bool has_bind = info.Length() > first && info[first].IsString();
    int bind_port = info.Length() > first + 1 && info[first + 1].IsNumber() ? info[first + 1].As<Napi::Number>().Int32Value() : 0;

    sockaddr_storage to;
    socklen_t to_len = 0;
    if (port < 0 || port > 65535 || !FillAddress(af, address, port, &to, &to_len)) return EINVAL;

    int fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) return errno;
    if (has_bind || bind_port != 0) {
      sockaddr_storage from;
      socklen_t from_len = 0;
      std::string bind_address = has_bind ? info[first].As<Napi::String>().Utf8Value() : (af == AF_INET ? "0.0.0.0" : "::");
      if (bind_port < 0 || bind_port > 65535 || !FillAddress(af, bind_address, bind_port, &from, &from_len)) {
        close(fd);
        return EINVAL;
      }
      if (bind(fd, reinterpret_cast<sockaddr*>(&from), from_len) < 0) {
        int err = errno;
        close(fd);
        return err;
      }
    }
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), to_len) == 0) {
      // Connected outright (allowed, though Linux answers EINPROGRESS): SettledOutcome then finds it established.
      *fd_out = fd;
      return kPending;
    }
    if (errno != EINPROGRESS) {
      int err = errno;
      close(fd);
      return err;
    }
    *fd_out = fd;
    return kPending;
  }

  // Registers the probe's socket for `events` and its deadline; kPending, or the errno when epoll refuses.
  int Watch(uint32_t slot, uint32_t events, double timeout_ms) {
    Probe& probe = probes_[slot];
    uint64_t key = Key(slot);
    epoll_event ev;
    ev.events = events | EPOLLONESHOT;
    ev.data.u64 = key;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, probe.fd, &ev) < 0) {
      int err = errno;
      Release(slot);
      return err;
    }
    if (pending_++ == 0) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    uint64_t deadline = NowNs() + static_cast<uint64_t>(timeout_ms >= 0 && timeout_ms < 1e12 ? timeout_ms * 1e6 : 0);
    deadlines_.emplace(deadline, key);
    if (deadline < armed_deadline_) Arm(deadline);
    return kPending;
  }

  uint64_t Key(uint32_t slot) const { return slot | (static_cast<uint64_t>(probes_[slot].generation) << 32); }

  // Writes what is left of the request; 0, or the errno of a failed write.
  static int WriteRequest(Probe& probe) {
    while (probe.sent < probe.request.size()) {
      ssize_t n = send(probe.fd, probe.request.data() + probe.sent, probe.request.size() - probe.sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return errno;
      }
      probe.sent += static_cast<size_t>(n);
    }
    return 0;
  }

  // Reads what has arrived. Returns kPending while more is expected, 0 once the answer is complete (the peer
  // closed, the header's Content-Length is in, or max_bytes reached), or an errno with nothing read.
  static int ReadAnswer(Probe& probe) {
    char buffer[16384];
    for (;;) {
      ssize_t n = recv(probe.fd, buffer, sizeof(buffer), 0);
      if (n > 0) {
        probe.answer.append(buffer, static_cast<size_t>(n));
        if (probe.answer.size() >= probe.max_bytes || AnswerComplete(probe.answer)) return 0;
        continue;
      }
      if (n == 0) return 0;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return kPending;
      // A reset after part of the answer: what came is the answer (JS judges it), as with a Node socket.
      return probe.answer.empty() ? errno : 0;
    }
  }

  // The header is in and the body has reached its Content-Length (HTTP/1.x, RFC 9112 §6.3).
  static bool AnswerComplete(const std::string& data) {
    size_t end = data.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    static const char kName[] = "\r\ncontent-length:";
    const size_t name_len = sizeof(kName) - 1;
    for (size_t i = 0; i + name_len <= end; i++) {
      size_t k = 0;
      while (k < name_len && std::tolower(static_cast<unsigned char>(data[i + k])) == kName[k]) k++;
      if (k < name_len) continue;
      size_t j = i + name_len;
      while (j < end && (data[j] == ' ' || data[j] == '\t')) j++;
      if (j >= end || !std::isdigit(static_cast<unsigned char>(data[j]))) return false;
      uint64_t length = 0;
      while (j < end && std::isdigit(static_cast<unsigned char>(data[j])) && length < (1ULL << 40)) length = length * 10 + (data[j++] - '0');
      return data.size() - (end + 4) >= length;
    }
    return false;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseAll();
    return info.Env().Undefined();
  }

  static Napi::Value Code(Napi::Env env, int code) { return Napi::Number::New(env, code); }

  // The outcome of a connect in progress if it has one already (0 established, an errno), else kPending.
  static int SettledOutcome(int fd) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, 0) != 1) return kPending;
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
    if (err == 0 && (p.revents & (POLLERR | POLLHUP)) != 0) err = ECONNRESET;
    return err;
  }

  uint32_t AllocateSlot() {
    if (!free_.empty()) {
      uint32_t slot = free_.back();
      free_.pop_back();
      return slot;
    }
    probes_.emplace_back();
    return static_cast<uint32_t>(probes_.size() - 1);
  }

  // Closes the probe's socket (which also removes it from the epoll set) and frees its slot.
  void Release(uint32_t slot) {
    Probe& probe = probes_[slot];
    if (probe.fd >= 0) close(probe.fd);
    probe.fd = -1;
    probe.generation++;
    probe.exchange = false;
    probe.connected = false;
    probe.request.clear();
    probe.sent = 0;
    probe.answer.clear();
    free_.push_back(slot);
  }

  // The slot still holds the probe this key was made for.
  bool Live(uint64_t key) const {
    uint32_t slot = static_cast<uint32_t>(key);
    return slot < probes_.size() && probes_[slot].fd >= 0 && probes_[slot].generation == static_cast<uint32_t>(key >> 32);
  }

  void Finish(uint64_t key, int code) {
    uint32_t slot = static_cast<uint32_t>(key);
    Probe& probe = probes_[slot];
    out_.push_back(probe.id);
    out_.push_back(code);
    // An answered exchange hands its bytes over; anything else has none.
    if (probe.exchange && code == 0) {
      answers_.emplace_back(out_.size() / 2 - 1, std::move(probe.answer));
      probe.answer = std::string();
    }
    Release(slot);
    if (--pending_ == 0) {
      uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
      uv_timer_stop(timer_);
      armed_deadline_ = UINT64_MAX;
      deadlines_ = {};  // every entry left is stale
    }
  }

  void Arm(uint64_t deadline) {
    armed_deadline_ = deadline;
    uint64_t now = NowNs();
    uint64_t wait_ms = deadline > now ? (deadline - now + 999999) / 1000000 : 0;
    uv_timer_start(timer_, &TcpConnector::OnTimer, wait_ms, 0);
    uv_ref(reinterpret_cast<uv_handle_t*>(timer_));
  }

  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<TcpConnector*>(handle->data);
    if (self == nullptr || status < 0) return;
    self->Drain();
    self->Deliver();
  }

  void Drain() {
    epoll_event events[kEventsPerWait];
    for (;;) {
      if (epoll_fd_ < 0) return;
      int n = epoll_wait(epoll_fd_, events, kEventsPerWait, 0);
      if (n <= 0) return;
      for (int i = 0; i < n; i++) {
        uint64_t key = events[i].data.u64;
        if (!Live(key)) continue;
        Probe& probe = probes_[static_cast<uint32_t>(key)];
        if (probe.exchange && probe.connected) {
          Advance(key, probe);
          continue;
        }
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(probe.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        // EPOLLOUT without a pending error is an established connection (RFC 793 SYN-ACK received).
        if (err == 0 && (events[i].events & (EPOLLERR | EPOLLHUP)) != 0) err = ECONNRESET;
        if (err == 0 && probe.exchange) {
          probe.connected = true;
          Advance(key, probe);
          continue;
        }
        Finish(key, err);
      }
      if (n < kEventsPerWait) return;
    }
  }

  // A connected exchange: write what is left of the request, then read; finished, or watched again (one-shot).
  void Advance(uint64_t key, Probe& probe) {
    int code = WriteRequest(probe);
    if (code == 0 && probe.sent == probe.request.size()) code = ReadAnswer(probe);
    else if (code == 0) code = kPending;
    if (code != kPending) return Finish(key, code);
    epoll_event ev;
    ev.events = (probe.sent < probe.request.size() ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT;
    ev.data.u64 = key;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, probe.fd, &ev) < 0) Finish(key, errno);
  }

  static void OnTimer(uv_timer_t* handle) {
    auto* self = static_cast<TcpConnector*>(handle->data);
    if (self == nullptr) return;
    self->armed_deadline_ = UINT64_MAX;
    uv_unref(reinterpret_cast<uv_handle_t*>(handle));
    uint64_t now = NowNs();
    while (!self->deadlines_.empty()) {
      Deadline top = self->deadlines_.top();
      if (!self->Live(top.second)) {
        self->deadlines_.pop();
        continue;
      }
      if (top.first > now) {
        self->Arm(top.first);
        break;
      }
      self->deadlines_.pop();
      self->Finish(top.second, kTimedOut);
    }
    self->Deliver();
  }

  // Hands the outcomes gathered in this callback to JS, as many results-array-fulls as it takes; each call also
  // gets an array with the answer bytes of the exchanges among them (null for the others).
  void Deliver() {
    if (out_.empty()) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Int32Array results = results_ref_.Value();
    size_t capacity = results.ElementLength() / 2 * 2;
    int32_t* data = results.Data();
    size_t done = 0;
    size_t next_answer = 0;
    std::vector<int32_t> batch;
    batch.swap(out_);
    std::vector<std::pair<size_t, std::string>> answers;
    answers.swap(answers_);
    while (done < batch.size()) {
      size_t n = std::min(capacity, batch.size() - done);
      std::memcpy(data, batch.data() + done, n * sizeof(int32_t));
      size_t first = done / 2;
      Napi::Value bytes = env.Null();
      if (next_answer < answers.size() && answers[next_answer].first < first + n / 2) {
        Napi::Array list = Napi::Array::New(env, n / 2);
        for (; next_answer < answers.size() && answers[next_answer].first < first + n / 2; next_answer++) {
          const std::string& answer = answers[next_answer].second;
          list.Set(static_cast<uint32_t>(answers[next_answer].first - first), Napi::Buffer<char>::Copy(env, answer.data(), answer.size()));
        }
        bytes = list;
      }
      done += n;
      on_results_.MakeCallback(Value(), {Napi::Number::New(env, static_cast<double>(n / 2)), bytes});
      if (env.IsExceptionPending()) {
        Napi::Error error = env.GetAndClearPendingException();
        napi_fatal_exception(env, error.Value());
        break;
      }
    }
    batch.clear();
    if (out_.empty()) out_.swap(batch);  // keep the capacity for the next batch
  }

  static void OnEnvCleanup(void* arg) {
    auto* self = static_cast<TcpConnector*>(arg);
    self->cleanup_hook_ = false;
    self->CloseAll();
  }

  static void FreeTimer(uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); }

  void CloseAll() {
    CloseWatch(poll_);
    poll_ = nullptr;
    if (timer_ != nullptr) {
      timer_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(timer_), &TcpConnector::FreeTimer);
      timer_ = nullptr;
    }
    for (Probe& probe : probes_) {
      if (probe.fd >= 0) close(probe.fd);
      probe.fd = -1;
    }
    probes_.clear();
    free_.clear();
    deadlines_ = {};
    answers_.clear();
    pending_ = 0;
    if (epoll_fd_ >= 0) {
      close(epoll_fd_);
      epoll_fd_ = -1;
    }
  }

  int epoll_fd_ = -1;
  bool cleanup_hook_ = false;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* timer_ = nullptr;
  uint64_t armed_deadline_ = UINT64_MAX;
  size_t pending_ = 0;
  std::vector<Probe> probes_;
  std::vector<uint32_t> free_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> deadlines_;
  std::vector<int32_t> out_;
  // (index of the outcome pair in out_, answer bytes) for answered exchanges.
  std::vector<std::pair<size_t, std::string>> answers_;
  Napi::Reference<Napi::Int32Array> results_ref_;
  Napi::FunctionReference on_results_;
};

void InitTcpConnector(Napi::Env env, Napi::Object exports) {
  exports.Set("TcpConnector", TcpConnector::Define(env));
}

}  // namespace vigil
