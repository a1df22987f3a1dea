// Strong references that keep the JS buffers of an asynchronous native operation alive until it completes.
#ifndef ESDK_NATIVE_PINS_H_
#define ESDK_NATIVE_PINS_H_

#include <node_api.h>

#include <cstddef>

namespace esdk {

// A thread-pool job reads and writes caller memory after the call has returned; without a
// reference the garbage collector could free a buffer JS no longer holds. Created and released
// on the JS thread only (AsyncWorker's constructor and destructor both run there).
class Pins {
 public:
  explicit Pins(napi_env env) noexcept : env_(env) {}
  ~Pins() {
    for (size_t i = 0; i < count_; ++i) napi_delete_reference(env_, refs_[i]);
  }
  Pins(const Pins&) = delete;
  Pins& operator=(const Pins&) = delete;

  // False if the value cannot be referenced (or there is no room), and the job must not start.
  bool Add(napi_value value) noexcept {
    if (count_ == kMax) return false;
    napi_ref ref = nullptr;
    if (napi_create_reference(env_, value, 1, &ref) != napi_ok) return false;
    refs_[count_++] = ref;
    return true;
  }

 private:
  static constexpr size_t kMax = 12;
  napi_env env_;
  napi_ref refs_[kMax] = {};
  size_t count_ = 0;
};

}  // namespace esdk

#endif  // ESDK_NATIVE_PINS_H_
