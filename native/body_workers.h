// Runs a BodyJob on the libuv pool: one AsyncWorker per thread, the buffers pinned, one callback on the JS thread at
// the end.
#ifndef ESDK_NATIVE_BODY_WORKERS_H_
#define ESDK_NATIVE_BODY_WORKERS_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "body_job.h"
#include "pins.h"
#include "status.h"

namespace esdk {

constexpr uint64_t kMaxJobThreads = 64;
constexpr uint64_t kMinJobChunkBytes = 4096;
constexpr uint64_t kMaxJobChunkBytes = uint64_t{1} << 30;

// A job about to be launched: pin every buffer the workers use, then Launch. Destroying it
// unlaunched frees the job (and unpins).
class BodyJobLaunch {
 public:
  // `seal`: the callback gets (null, bytes written); otherwise (null, authentic). `what` names
  // the operation in errors.
  BodyJobLaunch(napi_env env, BodyJob* job, bool seal, const char* what, JobListener* listener) noexcept;
  ~BodyJobLaunch();
  BodyJobLaunch(const BodyJobLaunch&) = delete;
  BodyJobLaunch& operator=(const BodyJobLaunch&) = delete;

  bool ok() const noexcept { return completion_ != nullptr; }
  // False if the value cannot be referenced; the job must then not start.
  bool Pin(napi_value value) noexcept;
  // Queues up to `threads` frame workers (and one signature worker when the job has signature
  // work); the completion takes over. False, with nothing queued, if it cannot.
  bool Launch(Napi::Env env, uint64_t threads, Napi::Function callback) noexcept;

  struct Completion;

 private:
  Completion* completion_;
};

}  // namespace esdk

#endif  // ESDK_NATIVE_BODY_WORKERS_H_
