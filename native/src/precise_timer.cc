// A timer that wakes the event loop on time to some tens of microseconds: a timerfd (CLOCK_MONOTONIC, absolute
// nanoseconds) watched by one uv_poll. libuv's own timers count whole milliseconds against a cached loop time, so
// they fire up to a millisecond or more late; a VRRP instance's Adver_Timer and Master_Down_Timer (RFC 5798 §6.4)
// should not. One timer per clock: JS keeps its deadlines in a heap and arms this one for the earliest.
#include "common.h"
#include "env_cleanup.h"
#include "polled_fd.h"

#include <sys/timerfd.h>
#include <unistd.h>
#include <uv.h>

#include <cstdint>
#include <ctime>

namespace vigil {

class PreciseTimer : public PolledFd<PreciseTimer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PreciseTimer",
                       {
                           InstanceMethod("arm", &PreciseTimer::ArmMethod),
                           InstanceMethod("disarm", &PreciseTimer::DisarmMethod),
                           InstanceMethod("close", &PreciseTimer::CloseMethod),
                       });
  }

  // new PreciseTimer(onFire: () => void)
  explicit PreciseTimer(const Napi::CallbackInfo& info) : PolledFd<PreciseTimer>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) {
      ThrowType(env, "new PreciseTimer(onFire: Function)");
      return;
    }
    on_fire_ = Napi::Persistent(info[0].As<Napi::Function>());
    fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd_ < 0) {
      ThrowErrno(env, "timerfd_create", errno);
      return;
    }
    poll_ = WatchReadable(env, fd_, this, &PreciseTimer::OnReadable);
    if (poll_ == nullptr) {
      CloseAll();
      return;
    }
    // Like a Node timer, an armed one keeps the loop alive; a disarmed one does not.
    SetLoopRef(false);
    cleanup_.Add(env, [this] { CloseAll(); });
  }

  ~PreciseTimer() override { CloseAll(); }

 private:
  // arm(delayMs): fire once, delayMs from now (0 or less: at once, on the loop's next poll).
  Napi::Value ArmMethod(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return ThrowErrno(env, "timer closed", EBADF);
    if (info.Length() < 1 || !info[0].IsNumber()) return ThrowType(env, "arm(delayMs: number)");
    double delay_ms = info[0].As<Napi::Number>().DoubleValue();
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    // An all-zero it_value disarms: the earliest real expiry is 1 ns from now.
    int64_t delay_ns = delay_ms > 0 && delay_ms < 1e12 ? static_cast<int64_t>(delay_ms * 1e6) : 0;
    int64_t at = static_cast<int64_t>(now.tv_sec) * 1000000000LL + now.tv_nsec + (delay_ns > 0 ? delay_ns : 1);
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(at / 1000000000LL);
    spec.it_value.tv_nsec = static_cast<long>(at % 1000000000LL);
    if (timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr) < 0) return ThrowErrno(env, "timerfd_settime", errno);
    if (!armed_) SetLoopRef(true);
    armed_ = true;
    return env.Undefined();
  }

  Napi::Value DisarmMethod(const Napi::CallbackInfo& info) {
    Disarm();
    return info.Env().Undefined();
  }

  Napi::Value CloseMethod(const Napi::CallbackInfo& info) {
    CloseAll();
    return info.Env().Undefined();
  }

  void Disarm() {
    if (fd_ < 0 || !armed_) return;
    itimerspec off{};
    timerfd_settime(fd_, 0, &off, nullptr);
    uint64_t expirations;
    (void)!read(fd_, &expirations, sizeof(expirations));  // drop an expiry not yet seen
    armed_ = false;
    SetLoopRef(false);
  }

  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<PreciseTimer*>(handle->data);
    if (self == nullptr || status < 0) return;
    uint64_t expirations = 0;
    if (read(self->fd_, &expirations, sizeof(expirations)) != sizeof(expirations)) return;  // disarmed meanwhile
    self->armed_ = false;
    self->SetLoopRef(false);
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    self->on_fire_.MakeCallback(self->Value(), {});
    RethrowPending(env);
  }

  void CloseAll() {
    CloseFd();
    armed_ = false;
  }

  bool armed_ = false;
  Napi::FunctionReference on_fire_;
  EnvCleanup cleanup_;
};

void InitPreciseTimer(Napi::Env env, Napi::Object exports) {
  exports.Set("PreciseTimer", PreciseTimer::Define(env));
}

}  // namespace vigil
