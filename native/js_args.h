// Reads N-API call arguments into native views, honouring every TypedArray's byteOffset and byteLength.
#ifndef ESDK_NATIVE_JS_ARGS_H_
#define ESDK_NATIVE_JS_ARGS_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "arg_slots.h"
#include "bytes.h"
#include "ec_keys.h"
#include "status.h"
#include "suites.h"

namespace esdk {

// Each accessor returns a usable default after a failure and records only the
// first one, so a binding reads all its arguments, then checks ok() once and
// calls Throw(). No JS exception is raised until Throw().
class JsArgs {
 public:
  explicit JsArgs(const Napi::CallbackInfo& info) noexcept : info_(info) {}

  const Suite* SuiteAt(size_t index, const char* name) noexcept;
  ByteView BytesAt(size_t index, const char* name) noexcept;
  MutableByteView MutableBytesAt(size_t index, const char* name) noexcept;
  // Float64Array contents; `*count` is its element count.
  const double* Float64sAt(size_t index, const char* name, size_t* count) noexcept;
  // A Number that is an integer in [0, max] (max at most 2^53).
  uint64_t IntegerAt(size_t index, const char* name, uint64_t max) noexcept;
  // A live signing-key handle; nullptr for undefined when `optional`.
  SigningKey* SigningKeyAt(size_t index, const char* name, bool optional) noexcept;
  // A function argument (completion callbacks of the async entry points).
  Napi::Function FunctionAt(size_t index, const char* name) noexcept;
  // 256 or 384: a signature curve.
  Curve CurveAt(size_t index, const char* name) noexcept;

  // The same, by named slot (arg_slots.h).
  const Suite* SuiteAt(Slot s) noexcept { return SuiteAt(s.index, s.name); }
  ByteView BytesAt(Slot s) noexcept { return BytesAt(s.index, s.name); }
  MutableByteView MutableBytesAt(Slot s) noexcept { return MutableBytesAt(s.index, s.name); }
  const double* Float64sAt(Slot s, size_t* count) noexcept { return Float64sAt(s.index, s.name, count); }
  uint64_t IntegerAt(Slot s, uint64_t max) noexcept { return IntegerAt(s.index, s.name, max); }
  SigningKey* SigningKeyAt(Slot s, bool optional) noexcept { return SigningKeyAt(s.index, s.name, optional); }
  Napi::Function FunctionAt(Slot s) noexcept { return FunctionAt(s.index, s.name); }
  // The raw value in a slot (to pin it for a thread-pool job).
  Napi::Value ValueAt(Slot s) const noexcept { return info_[s.index]; }

  // The same readers over any value: elements of an array argument and properties of the objects
  // in it (the batch entry points' per-run and per-message inputs), by name.
  const Suite* SuiteOf(napi_value value, const char* name) noexcept;
  ByteView BytesOf(napi_value value, const char* name) noexcept;
  MutableByteView MutableBytesOf(napi_value value, const char* name) noexcept;
  const double* Float64sOf(napi_value value, const char* name, size_t* count) noexcept;
  uint64_t IntegerOf(napi_value value, const char* name, uint64_t max) noexcept;
  SigningKey* SigningKeyOf(napi_value value, const char* name, bool optional) noexcept;
  // An array argument's length (0 after a failure).
  uint32_t ArrayLengthAt(Slot s) noexcept;
  // Element `i` of an array, or property `key` of an object (undefined after a failure).
  napi_value ElementOf(napi_value array, uint32_t i, const char* name) noexcept;
  napi_value PropertyOf(napi_value object, const char* key) noexcept;

  bool ok() const noexcept { return status_ == Status::kOk; }
  // Records a failure found after the arguments were read (a crypto status).
  void Fail(Status status, const char* what) noexcept;
  // Throws the recorded failure; returns undefined for the binding to return.
  Napi::Value Throw() const noexcept;

 private:
  bool TypedArrayOf(napi_value value, const char* name, napi_typedarray_type want, Status wrong_type, void** data,
                    size_t* length) noexcept;

  const Napi::CallbackInfo& info_;
  Status status_ = Status::kOk;
  const char* what_ = "";
};

}  // namespace esdk

#endif  // ESDK_NATIVE_JS_ARGS_H_
