// Scheduling of the calling thread, for keepalived's vrrp_rt_priority / checker_rt_priority and
// vrrp_rlimit_rttime / checker_rlimit_rttime. Linux applies sched_setscheduler(0, …) to the calling thread only.
#include "common.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

namespace vigil {

// setRealtimePriority(priority) → SCHED_RR at 1..99, or SCHED_OTHER for 0. SCHED_RESET_ON_FORK: threads and
// processes started afterwards (the checker worker, notify scripts, libuv's pool) do not inherit it.
Napi::Value SetRealtimePriority(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return ThrowType(env, "setRealtimePriority(priority: number)");
  int priority = info[0].As<Napi::Number>().Int32Value();
  if (priority < 0 || priority > 99) return ThrowType(env, "priority must be 0..99");
  struct sched_param param;
  std::memset(&param, 0, sizeof(param));
  param.sched_priority = priority;
  int policy = priority == 0 ? SCHED_OTHER : (SCHED_RR | SCHED_RESET_ON_FORK);
  if (sched_setscheduler(0, policy, &param) < 0) return ThrowErrno(env, "sched_setscheduler", errno);
  return env.Undefined();
}

// setRlimitRttime(microseconds): the CPU time a realtime thread may use without blocking (RLIMIT_RTTIME); past
// the soft limit the kernel sends SIGXCPU, so the hard limit is set one second above it.
Napi::Value SetRlimitRttime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return ThrowType(env, "setRlimitRttime(microseconds: number)");
  double us = info[0].As<Napi::Number>().DoubleValue();
  if (!(us >= 1)) return ThrowType(env, "microseconds must be >= 1");
  struct rlimit limit;
  limit.rlim_cur = static_cast<rlim_t>(us);
  limit.rlim_max = static_cast<rlim_t>(us) + 1000000;
  if (setrlimit(RLIMIT_RTTIME, &limit) < 0) return ThrowErrno(env, "setrlimit(RLIMIT_RTTIME)", errno);
  return env.Undefined();
}

// sched_setattr(2)'s argument, first version (SCHED_ATTR_SIZE_VER0): glibc 2.36 has no wrapper.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

// setFairSlice(microseconds): the calling thread's own time slice under the fair scheduler (EEVDF, Linux 6.12+:
// sched_attr.sched_runtime for SCHED_OTHER, clamped by the kernel to 0.1–100 ms; 0 restores the default). A thread
// with a shorter slice than the one running gets the CPU when it wakes, instead of waiting for that slice to end.
// The nice value is kept. Older kernels accept and ignore it.
Napi::Value SetFairSlice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return ThrowType(env, "setFairSlice(microseconds: number)");
  double us = info[0].As<Napi::Number>().DoubleValue();
  if (!(us >= 0) || us > 100000) return ThrowType(env, "microseconds must be 0..100000");
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
  if (nice == -1 && errno != 0) return ThrowErrno(env, "getpriority", errno);
  SchedAttr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.sched_policy = SCHED_OTHER;
  attr.sched_nice = nice;
  attr.sched_runtime = static_cast<uint64_t>(us * 1000);
  if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) return ThrowErrno(env, "sched_setattr", errno);
  return env.Undefined();
}

}  // namespace vigil
