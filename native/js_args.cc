// Argument conversion for the crypto bindings: Uint8Array/Float64Array windows, safe integers, suite ids.
#include "js_args.h"

#include <cmath>

#include "signing_key_handle.h"

namespace esdk {
namespace {

// Stand-in for the null data pointer N-API reports for an empty (or
// detached) array, so crypto code never has to special-case it.
uint8_t g_empty[1];
double g_empty_doubles[1];

constexpr double kMaxSafe = 9007199254740992.0;  // 2^53

}  // namespace

void JsArgs::Fail(Status status, const char* what) noexcept {
  if (status_ != Status::kOk || status == Status::kOk) return;
  status_ = status;
  what_ = what;
}

Napi::Value JsArgs::Throw() const noexcept {
  ThrowStatus(info_.Env(), status_, what_);
  return info_.Env().Undefined();
}

bool JsArgs::TypedArrayOf(napi_value value, const char* name, napi_typedarray_type want, Status wrong_type, void** data,
                          size_t* length) noexcept {
  *data = nullptr;
  *length = 0;
  if (!ok()) return false;
  napi_env env = info_.Env();
  bool is_typed_array = false;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array) {
    Fail(wrong_type, name);
    return false;
  }
  napi_typedarray_type type;
  size_t element_count = 0;
  void* element_data = nullptr;
  // N-API returns `data` already advanced by the view's byteOffset and
  // `length` in elements of the view, i.e. exactly the caller's window, not
  // the whole backing ArrayBuffer (a Buffer is often a slice of a pool).
  if (napi_get_typedarray_info(env, value, &type, &element_count, &element_data, nullptr, nullptr) != napi_ok ||
      type != want) {
    Fail(wrong_type, name);
    return false;
  }
  *data = element_data;
  *length = element_count;
  return true;
}

ByteView JsArgs::BytesAt(size_t index, const char* name) noexcept { return BytesOf(info_[index], name); }

MutableByteView JsArgs::MutableBytesAt(size_t index, const char* name) noexcept {
  return MutableBytesOf(info_[index], name);
}

const double* JsArgs::Float64sAt(size_t index, const char* name, size_t* count) noexcept {
  return Float64sOf(info_[index], name, count);
}

uint64_t JsArgs::IntegerAt(size_t index, const char* name, uint64_t max) noexcept {
  return IntegerOf(info_[index], name, max);
}

const Suite* JsArgs::SuiteAt(size_t index, const char* name) noexcept { return SuiteOf(info_[index], name); }

SigningKey* JsArgs::SigningKeyAt(size_t index, const char* name, bool optional) noexcept {
  return SigningKeyOf(info_[index], name, optional);
}

ByteView JsArgs::BytesOf(napi_value value, const char* name) noexcept {
  const MutableByteView view = MutableBytesOf(value, name);
  return ByteView{view.data, view.size};
}

MutableByteView JsArgs::MutableBytesOf(napi_value value, const char* name) noexcept {
  void* data = nullptr;
  size_t length = 0;
  if (!TypedArrayOf(value, name, napi_uint8_array, Status::kNotUint8Array, &data, &length) || length == 0 ||
      data == nullptr) {
    return MutableByteView{g_empty, 0};
  }
  return MutableByteView{static_cast<uint8_t*>(data), length};
}

const double* JsArgs::Float64sOf(napi_value value, const char* name, size_t* count) noexcept {
  void* data = nullptr;
  if (!TypedArrayOf(value, name, napi_float64_array, Status::kNotFloat64Array, &data, count) || *count == 0 ||
      data == nullptr) {
    *count = 0;
    return g_empty_doubles;
  }
  return static_cast<const double*>(data);
}

uint64_t JsArgs::IntegerOf(napi_value value, const char* name, uint64_t max) noexcept {
  if (!ok()) return 0;
  double number = 0;
  if (napi_get_value_double(info_.Env(), value, &number) != napi_ok || !(number >= 0.0 && number <= kMaxSafe) ||
      std::floor(number) != number || static_cast<uint64_t>(number) > max) {
    Fail(Status::kNotSafeInteger, name);
    return 0;
  }
  return static_cast<uint64_t>(number);
}

const Suite* JsArgs::SuiteOf(napi_value value, const char* name) noexcept {
  const uint64_t id = IntegerOf(value, name, 0xFFFF);
  if (!ok()) return nullptr;
  const Suite* suite = FindSuite(static_cast<uint32_t>(id));
  if (suite == nullptr) Fail(Status::kUnknownSuite, name);
  return suite;
}

SigningKey* JsArgs::SigningKeyOf(napi_value value, const char* name, bool optional) noexcept {
  if (!ok()) return nullptr;
  napi_valuetype type = napi_undefined;
  if (optional && napi_typeof(info_.Env(), value, &type) == napi_ok && type == napi_undefined) return nullptr;
  SigningKeyHolder* holder = UnwrapSigningKey(info_.Env(), value);
  if (holder == nullptr) {
    Fail(Status::kNotSigningKey, name);
    return nullptr;
  }
  if (holder->key == nullptr) Fail(Status::kKeyDisposed, name);
  return holder->key;
}

uint32_t JsArgs::ArrayLengthAt(Slot s) noexcept {
  if (!ok()) return 0;
  bool is_array = false;
  uint32_t length = 0;
  napi_env env = info_.Env();
  if (napi_is_array(env, info_[s.index], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, info_[s.index], &length) != napi_ok) {
    Fail(Status::kNotArray, s.name);
    return 0;
  }
  return length;
}

napi_value JsArgs::ElementOf(napi_value array, uint32_t i, const char* name) noexcept {
  napi_env env = info_.Env();
  napi_value element = nullptr;
  if (ok() && napi_get_element(env, array, i, &element) == napi_ok) return element;
  Fail(Status::kNotArray, name);
  napi_get_undefined(env, &element);
  return element;
}

napi_value JsArgs::PropertyOf(napi_value object, const char* key) noexcept {
  napi_env env = info_.Env();
  napi_value property = nullptr;
  if (ok() && napi_get_named_property(env, object, key, &property) == napi_ok) return property;
  Fail(Status::kNotArray, key);
  napi_get_undefined(env, &property);
  return property;
}

Napi::Function JsArgs::FunctionAt(size_t index, const char* name) noexcept {
  if (!ok()) return Napi::Function();
  if (!info_[index].IsFunction()) {
    Fail(Status::kNotFunction, name);
    return Napi::Function();
  }
  return info_[index].As<Napi::Function>();
}

Curve JsArgs::CurveAt(size_t index, const char* name) noexcept {
  const uint64_t bits = IntegerAt(index, name, 384);
  if (!ok()) return Curve::kNone;
  if (bits == 256) return Curve::kP256;
  if (bits == 384) return Curve::kP384;
  Fail(Status::kUnknownSuite, name);
  return Curve::kNone;
}

}  // namespace esdk
