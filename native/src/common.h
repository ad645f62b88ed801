// Shared helpers for the vigil_native addon (Linux only).
#pragma once

#include <napi.h>
#include <uv.h>

#include <signal.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace vigil {

// Throws a JS Error carrying errno as `code` (e.g. "ENODEV") and `errno`, like Node's own system errors: the name
// is libuv's, as Node's is (an errno libuv does not know gets no `code`).
inline Napi::Value ThrowErrno(Napi::Env env, const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err);
  Napi::Error error = Napi::Error::New(env, message);
  char name[64];
  uv_err_name_r(-err, name, sizeof(name));  // "Unknown system error -N" for an errno it does not know
  error.Set("errno", Napi::Number::New(env, err));
  if (name[0] == 'E') error.Set("code", Napi::String::New(env, name));
  error.Set("syscall", Napi::String::New(env, what));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

inline Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// After a JS listener was called from the event loop (MakeCallback): an exception it threw must not be swallowed,
// so it is reported as an uncaught exception (napi_fatal_exception), as Node does for an event listener's. True
// when there was one.
inline bool RethrowPending(Napi::Env env) {
  if (!env.IsExceptionPending()) return false;
  Napi::Error error = env.GetAndClearPendingException();
  napi_fatal_exception(env, error.Value());
  return true;
}

Napi::Value SendFrame(const Napi::CallbackInfo& info);
Napi::Value InterfaceIndex(const Napi::CallbackInfo& info);
Napi::Value InterfaceMac(const Napi::CallbackInfo& info);
void InitRawIpSocket(Napi::Env env, Napi::Object exports);
void InitTcpConnector(Napi::Env env, Napi::Object exports);
void InitPreciseTimer(Napi::Env env, Napi::Object exports);
void InitUnixDatagramSocket(Napi::Env env, Napi::Object exports);
void InitNetlinkMonitor(Napi::Env env, Napi::Object exports);
void InitProcessControl(Napi::Env env, Napi::Object exports);
void InitSocketOptions(Napi::Env env, Napi::Object exports);
Napi::Value SetRealtimePriority(const Napi::CallbackInfo& info);
Napi::Value SetRlimitRttime(const Napi::CallbackInfo& info);
Napi::Value SetFairSlice(const Napi::CallbackInfo& info);
Napi::Value SetReceiveBufferOf(const Napi::CallbackInfo& info);
Napi::Value ReceiveBufferOf(const Napi::CallbackInfo& info);
Napi::Value MiiLinkStatus(const Napi::CallbackInfo& info);
Napi::Value OpenTunDevice(const Napi::CallbackInfo& info);
void InitSignalWatch(Napi::Env env, Napi::Object exports);
// The held signals' dispositions (holdSignals, signal_watch.cc) before IgnoreHeldSignals set them to SIG_IGN.
using HeldDispositions = std::vector<std::pair<int, struct sigaction>>;
void IgnoreHeldSignals(HeldDispositions& saved);
void RestoreHeldSignals(const HeldDispositions& saved);

}  // namespace vigil
