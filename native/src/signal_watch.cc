// Real-time signals for keepalived's signal functions (JSON is SIGRTMIN+2, STATS_CLEAR SIGRTMAX-1, the thread dump
// SIGRTMAX: lib/signals.h), which Node's process.on cannot name. A uv_signal_t watches one on the calling thread's
// loop (libuv's handler writes to a pipe, whichever thread the kernel picked). Until the watch starts, and again if
// it is stopped, such a signal's default action would end the process: holdSignals sets them to SIG_IGN first
// (a disposition is process-wide, unlike a signal mask, which each of Node's threads has its own of), and execve
// keeps them ignored across the exec (exec resets a caught signal to its default, an ignored one stays ignored).
#include "common.h"
#include "env_cleanup.h"

#include <signal.h>
#include <uv.h>

#include <atomic>
#include <cstdint>

namespace vigil {

namespace {

// The signals holdSignals was given (bit n-1 for signal n; Linux has 64).
std::atomic<uint64_t> held{0};

bool IsHeld(int signum) { return signum >= 1 && signum <= 64 && (held.load() & (uint64_t{1} << (signum - 1))) != 0; }

void Ignore(int signum) {
  struct sigaction action {};
  action.sa_handler = SIG_IGN;
  sigemptyset(&action.sa_mask);
  sigaction(signum, &action, nullptr);
}

// realtimeSignalRange(): { min: SIGRTMIN, max: SIGRTMAX } as the C library has them (glibc keeps 32 and 33).
Napi::Value RealtimeSignalRange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object range = Napi::Object::New(env);
  range.Set("min", Napi::Number::New(env, SIGRTMIN));
  range.Set("max", Napi::Number::New(env, SIGRTMAX));
  return range;
}

// holdSignals(signals): each signal still at its default action is ignored from now on (one already caught or
// ignored is left as it is), and stays ignored whenever its watch stops.
Napi::Value HoldSignals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) return ThrowType(env, "holdSignals(signals: number[])");
  Napi::Array signals = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < signals.Length(); i++) {
    Napi::Value v = signals.Get(i);
    int signum = v.IsNumber() ? v.As<Napi::Number>().Int32Value() : 0;
    if (signum < 1 || signum > 64 || signum == SIGKILL || signum == SIGSTOP) return ThrowType(env, "not a signal that can be held");
    held.fetch_or(uint64_t{1} << (signum - 1));
    struct sigaction current {};
    if (sigaction(signum, nullptr, &current) < 0) return ThrowErrno(env, "sigaction", errno);
    if ((current.sa_flags & SA_SIGINFO) == 0 && current.sa_handler == SIG_DFL) Ignore(signum);
  }
  return env.Undefined();
}

class SignalWatch : public Napi::ObjectWrap<SignalWatch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "SignalWatch", {InstanceMethod("close", &SignalWatch::CloseMethod)});
  }

  // new SignalWatch(signum, onSignal: (signum) => void): does not keep the loop alive, and is not collected
  // before close() (nothing in JS need hold it).
  explicit SignalWatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SignalWatch>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
      ThrowType(env, "new SignalWatch(signum: number, onSignal: Function)");
      return;
    }
    signum_ = info[0].As<Napi::Number>().Int32Value();
    on_signal_ = Napi::Persistent(info[1].As<Napi::Function>());
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      ThrowErrno(env, "napi_get_uv_event_loop", EINVAL);
      return;
    }
    auto* handle = new uv_signal_t;
    int rc = uv_signal_init(loop, handle);
    if (rc != 0) {
      delete handle;
      ThrowErrno(env, "uv_signal_init", -rc);
      return;
    }
    handle->data = this;
    handle_ = handle;
    rc = uv_signal_start(handle, &SignalWatch::OnSignal, signum_);
    if (rc != 0) {
      Close();
      ThrowErrno(env, "uv_signal_start", -rc);
      return;
    }
    uv_unref(reinterpret_cast<uv_handle_t*>(handle));
    Ref();
    referenced_ = true;
    cleanup_.Add(env, [this] { Close(); });
  }

  ~SignalWatch() override { Close(); }

 private:
  Napi::Value CloseMethod(const Napi::CallbackInfo& info) {
    Close();
    if (referenced_) {
      referenced_ = false;
      Unref();
    }
    return info.Env().Undefined();
  }

  static void OnSignal(uv_signal_t* handle, int signum) {
    auto* self = static_cast<SignalWatch*>(handle->data);
    if (self == nullptr) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    self->on_signal_.MakeCallback(self->Value(), {Napi::Number::New(env, signum)});
    RethrowPending(env);
  }

  // libuv puts the signal back to its default action when its last watch stops: a held one is ignored again.
  void Close() {
    if (handle_ == nullptr) return;
    handle_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
    handle_ = nullptr;
    if (IsHeld(signum_)) Ignore(signum_);
  }

  int signum_ = 0;
  bool referenced_ = false;
  uv_signal_t* handle_ = nullptr;
  Napi::FunctionReference on_signal_;
  EnvCleanup cleanup_;
};

}  // namespace

void IgnoreHeldSignals(HeldDispositions& saved) {
  for (int signum = 1; signum <= 64; signum++) {
    if (!IsHeld(signum)) continue;
    struct sigaction before {};
    if (sigaction(signum, nullptr, &before) < 0) continue;
    saved.push_back({signum, before});
    Ignore(signum);
  }
}

void RestoreHeldSignals(const HeldDispositions& saved) {
  for (const auto& [signum, action] : saved) sigaction(signum, &action, nullptr);
}

void InitSignalWatch(Napi::Env env, Napi::Object exports) {
  exports.Set("SignalWatch", SignalWatch::Define(env));
  exports.Set("holdSignals", Napi::Function::New(env, HoldSignals, "holdSignals"));
  exports.Set("realtimeSignalRange", Napi::Function::New(env, RealtimeSignalRange, "realtimeSignalRange"));
}

}  // namespace vigil
