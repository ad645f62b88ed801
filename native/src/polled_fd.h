// The part every vigil_native class that owns one file descriptor read on the libuv loop has alike (the raw IP
// socket, the netlink monitor, the AF_UNIX datagram socket, the precise timer's timerfd): the descriptor and its
// uv_poll watch (uv_watch.h), starting the watch so that the JS object stays alive while the loop may call it back,
// ref()/unref() of the loop, closing both, and the socket's receive buffer (SO_RCVBUF / SO_RCVBUFFORCE).
//
// CRTP: `T` is the class itself (class RawIpSocket : public PolledFd<RawIpSocket>). A class that has more to close
// defines its own CloseFd (calling PolledFd::CloseFd), which Release calls.
#pragma once

#include "common.h"
#include "socket_buffer.h"
#include "uv_watch.h"

#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

namespace vigil {

template <typename T>
class PolledFd : public Napi::ObjectWrap<T> {
 public:
  explicit PolledFd(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}
  ~PolledFd() override { CloseFd(); }

 protected:
  // False, with a JS error thrown, once the descriptor is closed.
  bool CheckOpen(Napi::Env env) {
    if (fd_ >= 0) return true;
    ThrowErrno(env, "socket closed", EBADF);
    return false;
  }

  // Starts watching fd_ (the handle's data is this object) and keeps the JS object alive until Release.
  bool Watch(Napi::Env env, uv_poll_cb callback) {
    poll_ = WatchReadable(env, fd_, static_cast<T*>(this), callback);
    if (poll_ == nullptr) return false;
    this->Ref();  // stay alive while the loop may call us back
    return true;
  }

  // Closes the descriptor (the class's own CloseFd) and lets the JS object go if Watch held it.
  void Release() {
    bool was_polling = poll_ != nullptr;
    static_cast<T*>(this)->CloseFd();
    if (was_polling) this->Unref();
  }

  void CloseFd() {
    CloseWatch(poll_);  // stops polling at once
    poll_ = nullptr;
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

  // Whether the watch keeps the event loop alive (a Node socket's ref() / unref()).
  void SetLoopRef(bool on) {
    if (poll_ == nullptr) return;
    if (on) {
      uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    }
  }

  Napi::Value RefLoop(const Napi::CallbackInfo& info) {
    static_cast<T*>(this)->SetLoopRef(true);
    return info.Env().Undefined();
  }

  Napi::Value UnrefLoop(const Napi::CallbackInfo& info) {
    static_cast<T*>(this)->SetLoopRef(false);
    return info.Env().Undefined();
  }

  // setReceiveBufferSize(bytes, force): SO_RCVBUFFORCE with force (root, past net.core.rmem_max), else SO_RCVBUF.
  Napi::Value SetReceiveBufferSize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsBoolean()) return ThrowType(env, "setReceiveBufferSize(bytes: number, force: boolean)");
    bool force = info[1].As<Napi::Boolean>().Value();
    int err = SetReceiveBuffer(fd_, info[0].As<Napi::Number>().Int32Value(), force);
    return err != 0 ? ThrowErrno(env, force ? "setsockopt(SO_RCVBUFFORCE)" : "setsockopt(SO_RCVBUF)", err) : env.Undefined();
  }

  // What the kernel set: twice what was asked, within net.core.rmem_max unless forced.
  Napi::Value ReceiveBufferSize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int size = ReceiveBuffer(fd_);
    return size < 0 ? ThrowErrno(env, "getsockopt(SO_RCVBUF)", -size) : Napi::Number::New(env, size);
  }

  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
};

}  // namespace vigil
