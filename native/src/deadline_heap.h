// The connector's timeouts (keepalived connect_timeout): a min-heap of (deadline, key) and one uv_timer armed for
// the earliest, instead of a timer per probe. Entries are never removed when their probe ends early: the owner says
// which keys are still live, and a stale entry is dropped when it reaches the top.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace vigil {

class DeadlineHeap {
 public:
  class Owner {
   public:
    // The probe this key was made for is still pending.
    virtual bool Live(uint64_t key) const = 0;
    // Its deadline passed; it may Clear() the heap.
    virtual void TimedOut(uint64_t key) = 0;
    // Once after every pass over the due deadlines.
    virtual void AfterTimeouts() = 0;

   protected:
    ~Owner() = default;
  };

  DeadlineHeap() = default;
  DeadlineHeap(const DeadlineHeap&) = delete;
  DeadlineHeap& operator=(const DeadlineHeap&) = delete;
  ~DeadlineHeap() { Close(); }

  // The timer on `loop`; it keeps the loop alive only while armed.
  void Open(uv_loop_t* loop, Owner* owner);
  // A deadline `timeout_ms` from now (0 when not a sane number of milliseconds).
  void Add(uint64_t key, double timeout_ms);
  // Nothing is pending any more: every entry is stale, the timer stops.
  void Clear();
  void Close();

 private:
  // (deadline ns, key), earliest first.
  using Deadline = std::pair<uint64_t, uint64_t>;

  void Arm(uint64_t deadline);
  static void OnTimer(uv_timer_t* handle);
  static void FreeTimer(uv_handle_t* handle);

  Owner* owner_ = nullptr;
  uv_timer_t* timer_ = nullptr;
  uint64_t armed_deadline_ = UINT64_MAX;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> deadlines_;
};

}  // namespace vigil
