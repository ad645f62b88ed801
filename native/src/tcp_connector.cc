// TCP_CHECK's connect, without a Node socket per probe, and HTTP_GET's exchange on the same path: the JS class
// TcpConnector. This file is its JS surface: arguments in, outcomes out in batches, (id, code) pairs written into an
// Int32Array the caller gave, then one call of its callback with the count (and the answers' bytes of exchanges).
// The sockets are opened by tcp_socket.cc, driven by ConnectLoop (connect_loop.cc: one epoll fd, one uv_poll),
// timed out by DeadlineHeap (deadline_heap.cc: one uv_timer), and an exchange's bytes are HttpExchange's
// (http_exchange.cc). Outcome codes: tcp_outcome.h.
#include "common.h"
#include "env_cleanup.h"
#include "connect_loop.h"
#include "tcp_outcome.h"
#include "tcp_socket.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil {

class TcpConnector : public Napi::ObjectWrap<TcpConnector>, private ConnectLoop::Listener {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TcpConnector",
                       {
                           InstanceMethod("connect", &TcpConnector::Connect),
                           InstanceMethod("exchange", &TcpConnector::Exchange),
                           InstanceMethod("close", &TcpConnector::Close),
                       });
  }

  // new TcpConnector(results: Int32Array, onResults(count: number, answers: (Buffer | null)[]))
  explicit TcpConnector(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TcpConnector>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsFunction() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        info[0].As<Napi::TypedArray>().ElementLength() < 2) {
      ThrowType(env, "new TcpConnector(results: Int32Array (length >= 2), onResults: Function)");
      return;
    }
    results_ref_ = Napi::Persistent(info[0].As<Napi::Int32Array>());
    on_results_ = Napi::Persistent(info[1].As<Napi::Function>());
    if (!loop_.Open(env, this)) return;
    // A worker thread's environment can end with probes in flight: close the handles while its loop still runs.
    cleanup_.Add(env, [this] { loop_.Close(); });
  }

  ~TcpConnector() override { loop_.Close(); }

 private:
  // connect(id, family 4 | 6, address, port, timeoutMs, bindAddress?: string, bindPort?: number): number
  // → -2 while pending (the outcome comes through the callback), or an outcome code known at once.
  Napi::Value Connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!loop_.IsOpen()) return ThrowErrno(env, "connector closed", EBADF);
    if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString() || !info[3].IsNumber() ||
        !info[4].IsNumber()) {
      return ThrowType(env, "connect(id, family, address, port, timeoutMs, bindAddress?, bindPort?)");
    }
    int fd = -1;
    int code = Open(info, 5, &fd);
    if (code != kPending) return Code(env, code);
    return Code(env, loop_.Connect(info[0].As<Napi::Number>().Int32Value(), fd, info[4].As<Napi::Number>().DoubleValue()));
  }

  // exchange(id, family, address, port, timeoutMs, request: Buffer, maxBytes, bindAddress?, bindPort?): number
  // → -2 while pending, or an error code known at once. The answer's bytes come with the outcome.
  Napi::Value Exchange(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!loop_.IsOpen()) return ThrowErrno(env, "connector closed", EBADF);
    if (info.Length() < 7 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString() || !info[3].IsNumber() ||
        !info[4].IsNumber() || !info[5].IsBuffer() || !info[6].IsNumber()) {
      return ThrowType(env, "exchange(id, family, address, port, timeoutMs, request, maxBytes, bindAddress?, bindPort?)");
    }
    int fd = -1;
    int code = Open(info, 7, &fd);
    if (code != kPending) return Code(env, code);
    Napi::Buffer<char> request = info[5].As<Napi::Buffer<char>>();
    size_t max_bytes = static_cast<size_t>(std::max(1.0, info[6].As<Napi::Number>().DoubleValue()));
    return Code(env, loop_.Exchange(info[0].As<Napi::Number>().Int32Value(), fd, request.Data(), request.Length(), max_bytes,
                                    info[4].As<Napi::Number>().DoubleValue()));
  }

  // The socket of info's family, address and port, with the optional bind (info[first], info[first + 1]):
  // StartConnect's answer.
  static int Open(const Napi::CallbackInfo& info, size_t first, int* fd_out) {
    int af = info[1].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
    std::string address = info[2].As<Napi::String>().Utf8Value();
    int port = info[3].As<Napi::Number>().Int32Value();
    bool has_bind = info.Length() > first && info[first].IsString();
    int bind_port = info.Length() > first + 1 && info[first + 1].IsNumber() ? info[first + 1].As<Napi::Number>().Int32Value() : 0;
    std::string bind_address = has_bind ? info[first].As<Napi::String>().Utf8Value() : std::string();
    return StartConnect(af, address, port, has_bind ? &bind_address : nullptr, bind_port, fd_out);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    loop_.Close();
    return info.Env().Undefined();
  }

  static Napi::Value Code(Napi::Env env, int code) { return Napi::Number::New(env, code); }

  // Hands the outcomes gathered in this loop callback to JS, as many results-array-fulls as it takes; each call also
  // gets an array with the answer bytes of the exchanges among them (null for the others).
  void OnOutcomes() override {
    ConnectLoop::Outcomes& outcomes = loop_.outcomes();
    if (outcomes.pairs.empty()) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Int32Array results = results_ref_.Value();
    size_t capacity = results.ElementLength() / 2 * 2;
    int32_t* data = results.Data();
    size_t done = 0;
    size_t next_answer = 0;
    std::vector<int32_t> batch;
    batch.swap(outcomes.pairs);
    std::vector<std::pair<size_t, std::string>> answers;
    answers.swap(outcomes.answers);
    while (done < batch.size()) {
      size_t n = std::min(capacity, batch.size() - done);
      std::memcpy(data, batch.data() + done, n * sizeof(int32_t));
      size_t first = done / 2;
      Napi::Value bytes = env.Null();
      if (next_answer < answers.size() && answers[next_answer].first < first + n / 2) {
        Napi::Array list = Napi::Array::New(env, n / 2);
        for (; next_answer < answers.size() && answers[next_answer].first < first + n / 2; next_answer++) {
          const std::string& answer = answers[next_answer].second;
          list.Set(static_cast<uint32_t>(answers[next_answer].first - first), Napi::Buffer<char>::Copy(env, answer.data(), answer.size()));
        }
        bytes = list;
      }
      done += n;
      on_results_.MakeCallback(Value(), {Napi::Number::New(env, static_cast<double>(n / 2)), bytes});
      if (RethrowPending(env)) break;
    }
    batch.clear();
    if (outcomes.pairs.empty()) outcomes.pairs.swap(batch);  // keep the capacity for the next batch
  }

  ConnectLoop loop_;
  Napi::Reference<Napi::Int32Array> results_ref_;
  Napi::FunctionReference on_results_;
  EnvCleanup cleanup_;
};

void InitTcpConnector(Napi::Env env, Napi::Object exports) {
  exports.Set("TcpConnector", TcpConnector::Define(env));
}

}  // namespace vigil
