// The TCP connector's event loop: every pending connect (TCP_CHECK) or exchange (HTTP_GET) holds a slot whose
// socket sits in one epoll fd, which libuv watches with a single uv_poll. A wake-up drains every ready socket, and
// the outcomes it gathered go to the listener together, so a loop turn that completes a thousand connects makes one
// JS call, not a thousand. Deadlines are the DeadlineHeap's.
#pragma once

#include "deadline_heap.h"
#include "http_exchange.h"

#include <napi.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil {

class ConnectLoop final : private DeadlineHeap::Owner {
 public:
  class Listener {
   public:
    // A loop callback ended probes: their outcomes are waiting in outcomes().
    virtual void OnOutcomes() = 0;

   protected:
    ~Listener() = default;
  };

  struct Outcomes {
    // (id, code) pairs in the order the probes ended.
    std::vector<int32_t> pairs;
    // (index of the pair in `pairs`, answer bytes) for answered exchanges.
    std::vector<std::pair<size_t, std::string>> answers;
  };

  ConnectLoop() = default;
  ConnectLoop(const ConnectLoop&) = delete;
  ConnectLoop& operator=(const ConnectLoop&) = delete;
  ~ConnectLoop() { Close(); }

  // The epoll fd, its watch on env's loop and the deadline timer; false, with a JS error thrown, when one fails.
  bool Open(Napi::Env env, Listener* listener);
  bool IsOpen() const { return epoll_fd_ >= 0; }

  // Takes over `fd`, a connect in progress: kPending, or its outcome known at once (the socket then closed).
  int Connect(int32_t id, int fd, double timeout_ms);
  // The same for an exchange: once connected, `request` is written and the answer read (HttpExchange).
  int Exchange(int32_t id, int fd, const char* request, size_t request_length, size_t max_bytes, double timeout_ms);

  // Closes every pending probe (their outcomes are never delivered) and the loop.
  void Close();

  Outcomes& outcomes() { return outcomes_; }

 private:
  struct Probe {
    int fd = -1;
    int32_t id = 0;
    uint32_t generation = 0;
    bool exchange = false;
    bool connected = false;
    HttpExchange http;
  };

  int Watch(uint32_t slot, uint32_t events, double timeout_ms);
  uint64_t Key(uint32_t slot) const { return slot | (static_cast<uint64_t>(probes_[slot].generation) << 32); }
  uint32_t AllocateSlot();
  void Release(uint32_t slot);
  void Finish(uint64_t key, int code);
  void Drain();
  void Advance(uint64_t key, Probe& probe);
  static void OnReadable(uv_poll_t* handle, int status, int events);

  // DeadlineHeap::Owner
  bool Live(uint64_t key) const override;
  void TimedOut(uint64_t key) override;
  void AfterTimeouts() override;

  int epoll_fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  Listener* listener_ = nullptr;
  size_t pending_ = 0;
  std::vector<Probe> probes_;
  std::vector<uint32_t> free_;
  DeadlineHeap deadlines_;
  Outcomes outcomes_;
};

}  // namespace vigil
