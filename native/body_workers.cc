// The AsyncWorkers of a BodyJob: each runs a share of the frames (or the signature), the last one to finish reports.
#include "body_workers.h"

#include <new>

#include "error_mark.h"

namespace esdk {

// What a job's workers share on the JS thread: the job, how many workers are still out, the
// callback and the references that keep every buffer alive. Freed by the last worker to finish.
struct BodyJobLaunch::Completion {
  Completion(napi_env env, BodyJob* j, bool seal_mode, const char* op, JobListener* l) noexcept
      : job(j), seal(seal_mode), what(op), listener(l), pins(env) {}
  ~Completion() { delete job; }
  BodyJob* job;
  const bool seal;
  const char* what;
  JobListener* listener;
  size_t pending = 0;
  Napi::FunctionReference callback;
  Pins pins;
};

namespace {

class BodyWorker : public Napi::AsyncWorker {
 public:
  BodyWorker(Napi::Env env, BodyJobLaunch::Completion* completion, bool signature) noexcept
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
    BodyJobLaunch::Completion* c = completion_;
    if (--c->pending != 0) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    size_t length = 0;
    const Status status = c->job->Finish(&length);
    if (c->listener != nullptr) c->listener->JobEnded(status, length);
    Napi::Function callback = c->callback.Value();
    if (status == Status::kOk) {
      callback.Call({env.Null(), c->seal ? Napi::Value(Napi::Number::New(env, static_cast<double>(length)))
                                         : Napi::Value(Napi::Boolean::New(env, true))});
    } else if (status == Status::kAuthenticationFailed && !c->seal) {
      callback.Call({env.Null(), Napi::Boolean::New(env, false)});
    } else {
      napi_value error = StatusError(env, status, c->what);
      callback.Call({error != nullptr ? Napi::Value(env, error) : env.Undefined()});
    }
    delete c;
  }

  BodyJobLaunch::Completion* const completion_;
  const bool signature_;
};

}  // namespace

BodyJobLaunch::BodyJobLaunch(napi_env env, BodyJob* job, bool seal, const char* what, JobListener* listener) noexcept
    : completion_(job != nullptr ? new (std::nothrow) Completion(env, job, seal, what, listener) : nullptr) {
  if (completion_ == nullptr) delete job;
}

BodyJobLaunch::~BodyJobLaunch() { delete completion_; }

bool BodyJobLaunch::Pin(napi_value value) noexcept { return completion_ != nullptr && completion_->pins.Add(value); }

bool BodyJobLaunch::Launch(Napi::Env env, uint64_t threads, Napi::Function callback) noexcept {
  if (completion_ == nullptr) return false;
  Completion* c = completion_;
  const size_t chunks = c->job->chunk_count();
  const size_t frame_workers = static_cast<size_t>(threads < chunks ? threads : chunks);
  const bool signature = c->job->has_signature_work();
  const size_t total = frame_workers + (signature ? 1 : 0);
  BodyWorker* workers[kMaxJobThreads + 1] = {};
  if (total > kMaxJobThreads + 1) return false;
  for (size_t i = 0; i < total; ++i) {
    workers[i] = new (std::nothrow) BodyWorker(env, c, signature && i == frame_workers);
    if (workers[i] == nullptr) {
      for (size_t j = 0; j < i; ++j) delete workers[j];
      return false;
    }
  }
  c->callback = Napi::Persistent(callback);
  c->pending = total;
  completion_ = nullptr;
  if (total == 0) {
    // Nothing to run on the pool (an empty run): report on a later turn like any job would, so
    // callers see one code path. A lone no-op worker does that.
    workers[0] = new (std::nothrow) BodyWorker(env, c, false);
    if (workers[0] == nullptr) {
      completion_ = c;
      return false;
    }
    c->pending = 1;
    workers[0]->Queue();
    return true;
  }
  for (size_t i = 0; i < total; ++i) workers[i]->Queue();
  return true;
}

}  // namespace esdk
