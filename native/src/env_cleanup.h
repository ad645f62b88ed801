// A Node environment (a worker thread's) can end before the JS object of a native class is collected: its libuv
// handles must be closed while that loop still runs. EnvCleanup registers the owner's close for that moment
// (napi_add_env_cleanup_hook) and takes it off again when the owner is destroyed first. Declare it as the owner's
// last member, so that it is taken off before the rest of the owner goes.
#pragma once

#include <node_api.h>

#include <functional>
#include <utility>

namespace vigil {

class EnvCleanup {
 public:
  EnvCleanup() = default;
  EnvCleanup(const EnvCleanup&) = delete;
  EnvCleanup& operator=(const EnvCleanup&) = delete;
  ~EnvCleanup() {
    if (env_ != nullptr) napi_remove_env_cleanup_hook(env_, &EnvCleanup::Run, this);
  }

  // `close` runs once if the environment ends while the owner lives.
  void Add(napi_env env, std::function<void()> close) {
    close_ = std::move(close);
    if (napi_add_env_cleanup_hook(env, &EnvCleanup::Run, this) == napi_ok) env_ = env;
  }

 private:
  static void Run(void* arg) {
    auto* self = static_cast<EnvCleanup*>(arg);
    self->env_ = nullptr;
    self->close_();
  }

  napi_env env_ = nullptr;
  std::function<void()> close_;
};

}  // namespace vigil
