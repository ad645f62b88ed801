#include "connect_loop.h"

#include "tcp_outcome.h"
#include "tcp_socket.h"
#include "uv_watch.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil {

namespace {

constexpr int kEventsPerWait = 256;

}  // namespace

bool ConnectLoop::Open(Napi::Env env, Listener* listener) {
  listener_ = listener;
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    ThrowErrno(env, "epoll_create1", errno);
    return false;
  }
  poll_ = WatchReadable(env, epoll_fd_, this, &ConnectLoop::OnReadable);
  if (poll_ == nullptr) {
    Close();
    return false;
  }
  deadlines_.Open(uv_handle_get_loop(reinterpret_cast<uv_handle_t*>(poll_)), this);
  // Neither handle keeps the loop alive while no probe is pending.
  uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return true;
}

int ConnectLoop::Connect(int32_t id, int fd, double timeout_ms) {
  // To a local address (loopback, a namespace's veth) the kernel runs the whole handshake inside connect(): the
  // outcome is already known, so no epoll registration, no wake-up and no second pass are spent on it.
  int early = SettledOutcome(fd);
  if (early != kPending) {
    close(fd);
    return early;
  }
  uint32_t slot = AllocateSlot();
  Probe& probe = probes_[slot];
  probe.fd = fd;
  probe.id = id;
  return Watch(slot, EPOLLOUT, timeout_ms);
}

int ConnectLoop::Exchange(int32_t id, int fd, const char* request, size_t request_length, size_t max_bytes, double timeout_ms) {
  uint32_t slot = AllocateSlot();
  Probe& probe = probes_[slot];
  probe.fd = fd;
  probe.id = id;
  probe.exchange = true;
  probe.http.request.assign(request, request_length);
  probe.http.max_bytes = max_bytes;
  uint32_t events = EPOLLOUT;
  int early = SettledOutcome(fd);
  if (early > 0) {
    Release(slot);
    return early;
  }
  if (early == 0) {
    // Connected inside connect(): the request goes at once, and the answer is awaited.
    probe.connected = true;
    int err = probe.http.WriteRequest(fd);
    if (err != 0) {
      Release(slot);
      return err;
    }
    events = probe.http.RequestWritten() ? EPOLLIN : EPOLLOUT;
  }
  return Watch(slot, events, timeout_ms);
}

// Registers the probe's socket for `events` and its deadline; kPending, or the errno when epoll refuses.
int ConnectLoop::Watch(uint32_t slot, uint32_t events, double timeout_ms) {
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
  deadlines_.Add(key, timeout_ms);
  return kPending;
}

uint32_t ConnectLoop::AllocateSlot() {
  if (!free_.empty()) {
    uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  probes_.emplace_back();
  return static_cast<uint32_t>(probes_.size() - 1);
}

// Closes the probe's socket (which also removes it from the epoll set) and frees its slot.
void ConnectLoop::Release(uint32_t slot) {
  Probe& probe = probes_[slot];
  if (probe.fd >= 0) close(probe.fd);
  probe.fd = -1;
  probe.generation++;
  probe.exchange = false;
  probe.connected = false;
  probe.http.Clear();
  free_.push_back(slot);
}

// The slot still holds the probe this key was made for.
bool ConnectLoop::Live(uint64_t key) const {
  uint32_t slot = static_cast<uint32_t>(key);
  return slot < probes_.size() && probes_[slot].fd >= 0 && probes_[slot].generation == static_cast<uint32_t>(key >> 32);
}

void ConnectLoop::Finish(uint64_t key, int code) {
  uint32_t slot = static_cast<uint32_t>(key);
  Probe& probe = probes_[slot];
  outcomes_.pairs.push_back(probe.id);
  outcomes_.pairs.push_back(code);
  // An answered exchange hands its bytes over; anything else has none.
  if (probe.exchange && code == 0) {
    outcomes_.answers.emplace_back(outcomes_.pairs.size() / 2 - 1, std::move(probe.http.answer));
    probe.http.answer = std::string();
  }
  Release(slot);
  if (--pending_ == 0) {
    uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    deadlines_.Clear();
  }
}

void ConnectLoop::OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<ConnectLoop*>(handle->data);
  if (self == nullptr || status < 0) return;
  self->Drain();
  self->listener_->OnOutcomes();
}

void ConnectLoop::Drain() {
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
void ConnectLoop::Advance(uint64_t key, Probe& probe) {
  int code = probe.http.WriteRequest(probe.fd);
  if (code == 0 && probe.http.RequestWritten()) code = probe.http.ReadAnswer(probe.fd);
  else if (code == 0) code = kPending;
  if (code != kPending) return Finish(key, code);
  epoll_event ev;
  ev.events = (probe.http.RequestWritten() ? EPOLLIN : EPOLLOUT) | EPOLLONESHOT;
  ev.data.u64 = key;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, probe.fd, &ev) < 0) Finish(key, errno);
}

void ConnectLoop::TimedOut(uint64_t key) { Finish(key, kTimedOut); }

void ConnectLoop::AfterTimeouts() { listener_->OnOutcomes(); }

void ConnectLoop::Close() {
  CloseWatch(poll_);
  poll_ = nullptr;
  deadlines_.Close();
  for (Probe& probe : probes_) {
    if (probe.fd >= 0) close(probe.fd);
    probe.fd = -1;
  }
  probes_.clear();
  free_.clear();
  outcomes_.answers.clear();
  pending_ = 0;
  if (epoll_fd_ >= 0) {
    close(epoll_fd_);
    epoll_fd_ = -1;
  }
}

}  // namespace vigil
