// Interrupt moderation for a socket watched with WatchReadable (uv_watch.h): under a flood, a socket read at once
// on every readable wakeup costs a context switch and a call into JS per packet or two. When reads come less than
// kFloodGapNs apart, the watch is stopped for one timer tick (about 1 ms) after each read, so that the next read
// finds a batch queued; a read that filled its batch is not paused (the backlog is read one batch per loop turn).
// Ordinary traffic (reads further apart) is read as soon as it arrives.
#pragma once

#include "common.h"

#include <uv.h>

#include <cstdint>

namespace vigil {

class ReadPacer {
 public:
  static constexpr uint64_t kFloodGapNs = 5'000'000;
  static constexpr uint64_t kPauseMs = 1;

  // Ready to pace `poll` (restarted with `callback` after a pause). False, with a JS error thrown, on failure.
  bool Init(Napi::Env env, uv_poll_t* poll, uv_poll_cb callback) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      ThrowErrno(env, "napi_get_uv_event_loop", EINVAL);
      return false;
    }
    timer_ = new uv_timer_t;
    uv_timer_init(loop, timer_);
    timer_->data = this;
    poll_ = poll;
    callback_ = callback;
    return true;
  }

  // After a read of `got` packets, `full` when it filled its batch.
  void AfterRead(int got, bool full) {
    if (timer_ == nullptr || poll_ == nullptr || got == 0) return;
    uint64_t now = uv_hrtime();
    bool flooded = last_read_ns_ != 0 && now - last_read_ns_ < kFloodGapNs;
    last_read_ns_ = now;
    if (!flooded || full) return;
    uv_poll_stop(poll_);
    uv_update_time(timer_->loop);  // the loop's time is that of this turn's start: a pause counts from now
    uv_timer_start(timer_, &ReadPacer::Resume, kPauseMs, 0);
    pauses_++;
  }

  // Keep (or stop keeping) the loop alive while paused, as the watch does while it runs.
  void SetRef(bool ref) {
    if (timer_ == nullptr) return;
    if (ref) uv_ref(reinterpret_cast<uv_handle_t*>(timer_));
    else uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
  }

  // Times a read was followed by a pause.
  uint64_t Pauses() const { return pauses_; }

  // Stops pacing; call before closing the watch.
  void Close() {
    poll_ = nullptr;
    if (timer_ == nullptr) return;
    uv_timer_stop(timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
    timer_ = nullptr;
  }

 private:
  static void Resume(uv_timer_t* timer) {
    auto* self = static_cast<ReadPacer*>(timer->data);
    if (self == nullptr || self->poll_ == nullptr) return;
    uv_poll_start(self->poll_, UV_READABLE, self->callback_);
  }

  uv_timer_t* timer_ = nullptr;
  uv_poll_t* poll_ = nullptr;
  uv_poll_cb callback_ = nullptr;
  uint64_t last_read_ns_ = 0;
  uint64_t pauses_ = 0;
};

}  // namespace vigil
