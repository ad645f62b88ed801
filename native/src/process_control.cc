// Process-level keywords of keepalived's global_defs that Node cannot do itself: the calling thread's name
// (prctl PR_SET_NAME: process_name, vrrp_process_name, checker_process_name), its CPU affinity
// (sched_setaffinity: vrrp_cpu_affinity, checker_cpu_affinity) and replacing the process image with execve
// (net_namespace: vigil runs itself again under `ip netns exec`, keeping its pid).
#include "common.h"

#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <vector>

namespace vigil {

namespace {

// setThreadName(name): the calling thread's comm (at most 15 bytes: the kernel truncates).
Napi::Value SetThreadName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowType(env, "setThreadName(name: string)");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (prctl(PR_SET_NAME, name.c_str(), 0, 0, 0) < 0) return ThrowErrno(env, "prctl(PR_SET_NAME)", errno);
  return env.Undefined();
}

// setThreadAffinity(cpus): the calling thread runs only on these CPUs (sched_setaffinity with pid 0 is the
// calling thread). An empty list is refused.
Napi::Value SetThreadAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) return ThrowType(env, "setThreadAffinity(cpus: number[])");
  Napi::Array cpus = info[0].As<Napi::Array>();
  if (cpus.Length() == 0) return ThrowType(env, "cpus must not be empty");
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    Napi::Value v = cpus.Get(i);
    if (!v.IsNumber()) return ThrowType(env, "cpus must be numbers");
    int cpu = v.As<Napi::Number>().Int32Value();
    if (cpu < 0 || cpu >= CPU_SETSIZE) return ThrowType(env, "cpu out of range");
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(0, sizeof(set), &set) < 0) return ThrowErrno(env, "sched_setaffinity", errno);
  return env.Undefined();
}

std::vector<std::string> Strings(Napi::Array array) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < array.Length(); i++) out.push_back(array.Get(i).ToString().Utf8Value());
  return out;
}

// execve(path, argv, env): replaces the process (every thread goes; the pid stays). Returns only on failure.
Napi::Value Execve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsArray()) {
    return ThrowType(env, "execve(path: string, argv: string[], env: string[])");
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::vector<std::string> args = Strings(info[1].As<Napi::Array>());
  std::vector<std::string> vars = Strings(info[2].As<Napi::Array>());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  // The held real-time signals stay ignored in the new image until it watches them (signal_watch.cc).
  HeldDispositions saved;
  IgnoreHeldSignals(saved);
  execve(path.c_str(), argv.data(), envp.data());
  int err = errno;
  RestoreHeldSignals(saved);
  return ThrowErrno(env, "execve", err);
}

}  // namespace

void InitProcessControl(Napi::Env env, Napi::Object exports) {
  exports.Set("setThreadName", Napi::Function::New(env, SetThreadName, "setThreadName"));
  exports.Set("setThreadAffinity", Napi::Function::New(env, SetThreadAffinity, "setThreadAffinity"));
  exports.Set("execve", Napi::Function::New(env, Execve, "execve"));
}

}  // namespace vigil
