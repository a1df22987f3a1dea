// Scoped OpenSSL error-queue mark: whatever a native call queues is popped on return, on any thread.
#ifndef ESDK_NATIVE_ERROR_MARK_H_
#define ESDK_NATIVE_ERROR_MARK_H_

#include <openssl/err.h>

namespace esdk {

// A native failure must never surface later as a spurious node:crypto error on the same
// thread (Node's own bindings do the same with MarkPopErrorOnReturn). Thread-pool workers use
// it too: the error queue is per thread.
class ErrorMark {
 public:
  ErrorMark() noexcept { ERR_set_mark(); }
  ~ErrorMark() { ERR_pop_to_mark(); }
  ErrorMark(const ErrorMark&) = delete;
  ErrorMark& operator=(const ErrorMark&) = delete;
};

}  // namespace esdk

#endif  // ESDK_NATIVE_ERROR_MARK_H_
