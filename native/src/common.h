// Shared helpers for the vigil_native addon (Linux only).
#pragma once

#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigil {

// Throws a JS Error carrying errno as `code` (e.g. "ENODEV") and `errno`, like Node's own system errors.
inline Napi::Value ThrowErrno(Napi::Env env, const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err);
  Napi::Error error = Napi::Error::New(env, message);
  const char* name = nullptr;
  switch (err) {
    case ENODEV: name = "ENODEV"; break;
    case EPERM: name = "EPERM"; break;
    case EACCES: name = "EACCES"; break;
    case EINVAL: name = "EINVAL"; break;
    case EADDRNOTAVAIL: name = "EADDRNOTAVAIL"; break;
    case ENETUNREACH: name = "ENETUNREACH"; break;
    case ENETDOWN: name = "ENETDOWN"; break;
    case ENXIO: name = "ENXIO"; break;
    case EAGAIN: name = "EAGAIN"; break;
    case ENOBUFS: name = "ENOBUFS"; break;
    case EMSGSIZE: name = "EMSGSIZE"; break;
    case EBADF: name = "EBADF"; break;
    default: break;
  }
  error.Set("errno", Napi::Number::New(env, err));
  if (name != nullptr) error.Set("code", Napi::String::New(env, name));
  error.Set("syscall", Napi::String::New(env, what));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

inline Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value SendFrame(const Napi::CallbackInfo& info);
Napi::Value InterfaceIndex(const Napi::CallbackInfo& info);
Napi::Value InterfaceMac(const Napi::CallbackInfo& info);
void InitRawIpSocket(Napi::Env env, Napi::Object exports);
void InitTcpConnector(Napi::Env env, Napi::Object exports);
void InitPreciseTimer(Napi::Env env, Napi::Object exports);
void InitNetlinkMonitor(Napi::Env env, Napi::Object exports);
Napi::Value SetRealtimePriority(const Napi::CallbackInfo& info);
Napi::Value SetRlimitRttime(const Napi::CallbackInfo& info);
Napi::Value SetFairSlice(const Napi::CallbackInfo& info);

}  // namespace vigil
