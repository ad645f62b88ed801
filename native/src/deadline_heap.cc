#include "deadline_heap.h"

namespace vigil {

void DeadlineHeap::Open(uv_loop_t* loop, Owner* owner) {
  owner_ = owner;
  timer_ = new uv_timer_t;
  uv_timer_init(loop, timer_);
  timer_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
}

void DeadlineHeap::Add(uint64_t key, double timeout_ms) {
  uint64_t deadline = uv_hrtime() + static_cast<uint64_t>(timeout_ms >= 0 && timeout_ms < 1e12 ? timeout_ms * 1e6 : 0);
  deadlines_.emplace(deadline, key);
  if (deadline < armed_deadline_) Arm(deadline);
}

void DeadlineHeap::Clear() {
  if (timer_ != nullptr) uv_timer_stop(timer_);
  armed_deadline_ = UINT64_MAX;
  deadlines_ = {};
}

void DeadlineHeap::Close() {
  if (timer_ != nullptr) {
    timer_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), &DeadlineHeap::FreeTimer);
    timer_ = nullptr;
  }
  armed_deadline_ = UINT64_MAX;
  deadlines_ = {};
}

void DeadlineHeap::Arm(uint64_t deadline) {
  armed_deadline_ = deadline;
  uint64_t now = uv_hrtime();
  uint64_t wait_ms = deadline > now ? (deadline - now + 999999) / 1000000 : 0;
  uv_timer_start(timer_, &DeadlineHeap::OnTimer, wait_ms, 0);
  uv_ref(reinterpret_cast<uv_handle_t*>(timer_));
}

void DeadlineHeap::OnTimer(uv_timer_t* handle) {
  auto* self = static_cast<DeadlineHeap*>(handle->data);
  if (self == nullptr) return;
  self->armed_deadline_ = UINT64_MAX;
  uv_unref(reinterpret_cast<uv_handle_t*>(handle));
  uint64_t now = uv_hrtime();
  while (!self->deadlines_.empty()) {
    Deadline top = self->deadlines_.top();
    if (!self->owner_->Live(top.second)) {
      self->deadlines_.pop();
      continue;
    }
    if (top.first > now) {
      self->Arm(top.first);
      break;
    }
    self->deadlines_.pop();
    self->owner_->TimedOut(top.second);
  }
  self->owner_->AfterTimeouts();
}

void DeadlineHeap::FreeTimer(uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); }

}  // namespace vigil
