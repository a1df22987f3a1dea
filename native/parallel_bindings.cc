// N-API plumbing for BodyJob: argument reading, the JS-thread header step, one AsyncWorker per pool thread, one callback.
#include "parallel_bindings.h"

#include <openssl/crypto.h>

#include <new>

#include "body_job.h"
#include "error_mark.h"
#include "huge_pages.h"
#include "js_args.h"
#include "message.h"
#include "message_bindings.h"
#include "pins.h"

namespace esdk {
namespace {

constexpr uint64_t kMaxThreads = 64;
constexpr uint64_t kMinChunkBytes = 4096;
constexpr uint64_t kMaxChunkBytes = uint64_t{1} << 30;

// What a job's workers share on the JS thread: the job, how many workers are still out, the
// callback and the references that keep every buffer alive. Freed by the last worker to finish.
struct Completion {
  Completion(napi_env env, BodyJob* j, bool seal_mode) noexcept : job(j), seal(seal_mode), pins(env) {}
  ~Completion() { delete job; }
  BodyJob* job;
  const bool seal;
  size_t pending = 0;
  Napi::FunctionReference callback;
  Pins pins;
};

class BodyWorker : public Napi::AsyncWorker {
 public:
  BodyWorker(Napi::Env env, Completion* completion, bool signature) noexcept
      : Napi::AsyncWorker(env, "esdk:messageBody"), completion_(completion), signature_(signature) {}

  void Execute() override {
    ErrorMark mark;
    if (signature_) {
      completion_->job->RunSignature();
    } else {
      completion_->job->RunFrames();
    }
  }

  void OnOK() override { Done(); }
  void OnError(const Napi::Error& /*error*/) override { Done(); }

 private:
  void Done() {
    Completion* c = completion_;
    if (--c->pending != 0) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    size_t length = 0;
    const Status status = c->job->Finish(&length);
    Napi::Function callback = c->callback.Value();
    if (status == Status::kOk) {
      callback.Call({env.Null(), c->seal ? Napi::Value(Napi::Number::New(env, static_cast<double>(length)))
                                         : Napi::Value(Napi::Boolean::New(env, true))});
    } else if (status == Status::kAuthenticationFailed && !c->seal) {
      callback.Call({env.Null(), Napi::Boolean::New(env, false)});
    } else {
      napi_value error = StatusError(env, status, c->seal ? "sealMessageAsync" : "openMessageAsync");
      callback.Call({error != nullptr ? Napi::Value(env, error) : env.Undefined()});
    }
    delete c;
  }

  Completion* const completion_;
  const bool signature_;
};

// Queues `frame_workers` frame workers (and a signature worker if asked); false if any could not be made.
bool Launch(Napi::Env env, Completion* c, size_t frame_workers, bool signature_worker) {
  const size_t total = frame_workers + (signature_worker ? 1 : 0);
  BodyWorker* workers[kMaxThreads + 1] = {};
  for (size_t i = 0; i < total; ++i) {
    workers[i] = new (std::nothrow) BodyWorker(env, c, signature_worker && i == frame_workers);
    if (workers[i] == nullptr) {
      for (size_t j = 0; j < i; ++j) delete workers[j];
      return false;
    }
  }
  c->pending = total;
  for (size_t i = 0; i < total; ++i) workers[i]->Queue();
  return true;
}

size_t WorkerCount(uint64_t threads, size_t chunks) noexcept {
  return static_cast<size_t>(threads < chunks ? threads : chunks);
}

}  // namespace

Napi::Value SealMessageAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = SealAsyncArg;
  SealMessageRequest request = ReadSealMessageArgs(args);
  const uint64_t threads = args.IntegerAt(At(A::kThreads), kMaxThreads);
  const uint64_t chunk_bytes = args.IntegerAt(At(A::kChunkBytes), kMaxChunkBytes);
  Napi::Function callback = args.FunctionAt(At(A::kCallback));
  if (args.ok() && (threads == 0 || chunk_bytes < kMinChunkBytes)) args.Fail(Status::kNotSafeInteger, "threads/chunkBytes");
  if (!args.ok()) return args.Throw();

  SealPlan plan{};
  args.Fail(PlanSeal(request, &plan), "sealMessageAsync");
  if (!args.ok()) return args.Throw();
  AdviseHugePages(request.out);
  uint8_t key[kMaxKeyLength];
  ScopedCleanse wipe_key(key, sizeof(key));
  Status status = Status::kOk;
  {
    GcmKey gcm;
    status = SealHeader(request, MutableByteView{key, request.suite->key_length}, gcm);
  }
  BodyJob* job = status == Status::kOk ? BodyJob::ForSeal(request, plan, ByteView{key, request.suite->key_length}, chunk_bytes)
                                       : nullptr;
  Completion* c = job != nullptr ? new (std::nothrow) Completion(info.Env(), job, true) : nullptr;
  if (c == nullptr) delete job;
  // out, plaintext and the signing key are used on the pool; the header-only inputs are done with.
  const bool ready = c != nullptr && c->pins.Add(args.ValueAt(At(A::kOut))) && c->pins.Add(args.ValueAt(At(A::kPlaintext))) &&
                     (request.signing_key == nullptr || c->pins.Add(args.ValueAt(At(A::kSigningKey)))) &&
                     Launch(info.Env(), c, WorkerCount(threads, c->job->chunk_count()), false);
  if (!ready) {
    delete c;
    OPENSSL_cleanse(request.out.data, request.out.size);
    args.Fail(status != Status::kOk ? status : Status::kOpenSslFailure, "sealMessageAsync");
    return args.Throw();
  }
  c->callback = Napi::Persistent(callback);
  return info.Env().Undefined();
}

Napi::Value OpenMessageAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = OpenAsyncArg;
  OpenMessageRequest request = ReadOpenMessageArgs(args);
  const ByteView point = args.BytesAt(At(A::kPoint));
  const ByteView signed_bytes = args.BytesAt(At(A::kSigned));
  const ByteView signature = args.BytesAt(At(A::kSignature));
  const uint64_t threads = args.IntegerAt(At(A::kThreads), kMaxThreads);
  const uint64_t chunk_bytes = args.IntegerAt(At(A::kChunkBytes), kMaxChunkBytes);
  Napi::Function callback = args.FunctionAt(At(A::kCallback));
  if (args.ok() && (threads == 0 || chunk_bytes < kMinChunkBytes)) args.Fail(Status::kNotSafeInteger, "threads/chunkBytes");
  if (!args.ok()) return args.Throw();

  args.Fail(PlanOpen(request), "openMessageAsync");
  if (!args.ok()) return args.Throw();
  AdviseHugePages(request.out);
  uint8_t key[kMaxKeyLength];
  ScopedCleanse wipe_key(key, sizeof(key));
  Status status = Status::kOk;
  {
    GcmKey gcm;
    status = OpenHeader(request, MutableByteView{key, request.suite->key_length}, gcm);
  }
  if (status == Status::kAuthenticationFailed) {
    OPENSSL_cleanse(request.out.data, request.out.size);
    return Napi::Boolean::New(info.Env(), false);
  }
  BodyJob* job = status == Status::kOk
                     ? BodyJob::ForOpen(request, ByteView{key, request.suite->key_length}, chunk_bytes, point, signed_bytes, signature)
                     : nullptr;
  Completion* c = job != nullptr ? new (std::nothrow) Completion(info.Env(), job, false) : nullptr;
  if (c == nullptr) delete job;
  const bool verify = c != nullptr && c->job->verifies_signature();
  const auto pin = [&](A slot) { return c->pins.Add(args.ValueAt(At(slot))); };
  const bool ready = c != nullptr && pin(A::kSource) && pin(A::kFrameTable) && pin(A::kOut) &&
                     (!verify || (pin(A::kPoint) && pin(A::kSigned) && pin(A::kSignature))) &&
                     Launch(info.Env(), c, WorkerCount(threads, c->job->chunk_count()), verify);
  if (!ready) {
    delete c;
    OPENSSL_cleanse(request.out.data, request.out.size);
    args.Fail(status != Status::kOk ? status : Status::kOpenSslFailure, "openMessageAsync");
    return args.Throw();
  }
  c->callback = Napi::Persistent(callback);
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace esdk
