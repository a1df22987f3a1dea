// The single table mapping native Status codes to JS error classes, codes and messages.
#include "status.h"

#include <cstddef>
#include <cstdio>

namespace esdk {
namespace {

enum class JsClass : uint8_t { kError, kTypeError, kRangeError };

struct StatusInfo {
  Status status;
  JsClass js_class;
  const char* code;
  const char* message;
};

// Indexed by Status; the static_assert below keeps the two in step.
constexpr StatusInfo kStatusTable[] = {
    {Status::kOk, JsClass::kError, "ERR_ESDK_NATIVE_OK", "no error"},
    {Status::kAuthenticationFailed, JsClass::kError, "ERR_ESDK_NATIVE_AUTH", "authentication failed"},
    {Status::kNotUint8Array, JsClass::kTypeError, "ERR_ESDK_NATIVE_ARG_TYPE", "expected a Uint8Array"},
    {Status::kNotFloat64Array, JsClass::kTypeError, "ERR_ESDK_NATIVE_ARG_TYPE", "expected a Float64Array"},
    {Status::kNotSafeInteger, JsClass::kRangeError, "ERR_ESDK_NATIVE_ARG_RANGE", "expected an integer in range"},
    {Status::kUnknownSuite, JsClass::kRangeError, "ERR_ESDK_NATIVE_SUITE", "unknown algorithm suite id"},
    {Status::kBadKeyLength, JsClass::kRangeError, "ERR_ESDK_NATIVE_KEY_LENGTH",
     "key length does not match the algorithm suite"},
    {Status::kBadMessageIdLength, JsClass::kRangeError, "ERR_ESDK_NATIVE_MESSAGE_ID_LENGTH",
     "message id length does not match the algorithm suite"},
    {Status::kBadIvLength, JsClass::kRangeError, "ERR_ESDK_NATIVE_IV_LENGTH", "IV must be 12 bytes"},
    {Status::kBadOutputLength, JsClass::kRangeError, "ERR_ESDK_NATIVE_OUTPUT_LENGTH",
     "output buffer has the wrong size"},
    {Status::kBadFrameLength, JsClass::kRangeError, "ERR_ESDK_NATIVE_FRAME_LENGTH", "frame length must be 1 .. 2^32-1"},
    {Status::kTooManyFrames, JsClass::kRangeError, "ERR_ESDK_NATIVE_TOO_MANY_FRAMES",
     "plaintext needs more than 2^32 - 2 frames at this frame length"},
    {Status::kBadFrameTable, JsClass::kRangeError, "ERR_ESDK_NATIVE_FRAME_TABLE",
     "malformed frame table (offset, length, sequence number or kind out of range)"},
    {Status::kOverlap, JsClass::kRangeError, "ERR_ESDK_NATIVE_OVERLAP", "input and output buffers overlap"},
    {Status::kBadDigestLength, JsClass::kRangeError, "ERR_ESDK_NATIVE_DIGEST_LENGTH",
     "digest length does not match the signature curve"},
    {Status::kBadPoint, JsClass::kRangeError, "ERR_ESDK_NATIVE_POINT", "not a SEC1 point on the curve"},
    {Status::kNotSigningKey, JsClass::kTypeError, "ERR_ESDK_NATIVE_ARG_TYPE", "expected a native signing key handle"},
    {Status::kNotFunction, JsClass::kTypeError, "ERR_ESDK_NATIVE_ARG_TYPE", "expected a function"},
    {Status::kKeyDisposed, JsClass::kError, "ERR_ESDK_NATIVE_KEY_DISPOSED", "the key was disposed"},
    {Status::kBadSignatureLength, JsClass::kRangeError, "ERR_ESDK_NATIVE_SIGNATURE_LENGTH",
     "signature is longer than the footer allows"},
    {Status::kOpenSslFailure, JsClass::kError, "ERR_ESDK_NATIVE_OPENSSL", "OpenSSL operation failed"},
    {Status::kNotRsaKey, JsClass::kTypeError, "ERR_ESDK_NATIVE_ARG_TYPE", "expected a native RSA key handle"},
    {Status::kBadRsaKey, JsClass::kRangeError, "ERR_ESDK_NATIVE_RSA_KEY",
     "not a DER RSA private key with a 512 .. 16384-bit modulus"},
    {Status::kStreamState, JsClass::kError, "ERR_ESDK_NATIVE_STREAM_STATE",
     "the message stream is busy, finished, failed or disposed"},
    {Status::kPartialFrame, JsClass::kRangeError, "ERR_ESDK_NATIVE_PARTIAL_FRAME",
     "a run without the final frame must be a whole number of frames"},
    {Status::kNotMessageStream, JsClass::kTypeError, "ERR_ESDK_NATIVE_ARG_TYPE",
     "expected a native message stream handle"},
    {Status::kNotEcdhKey, JsClass::kTypeError, "ERR_ESDK_NATIVE_ARG_TYPE", "expected a native ECDH key handle"},
    {Status::kBadEcdhKey, JsClass::kRangeError, "ERR_ESDK_NATIVE_ECDH_KEY", "not a DER EC private key on the curve"},
    {Status::kBadKdfInput, JsClass::kRangeError, "ERR_ESDK_NATIVE_KDF_INPUT",
     "counter-mode KDF input outside the keyrings' bounds (hash, key, salt or label length)"},
    {Status::kNotArray, JsClass::kTypeError, "ERR_ESDK_NATIVE_ARG_TYPE",
     "expected an array (of typed arrays or run objects)"},
    {Status::kBadBatchTable, JsClass::kRangeError, "ERR_ESDK_NATIVE_BATCH_TABLE",
     "batch table row out of range (run or group index, offset or length)"},
};

constexpr bool TableMatchesEnum() {
  for (size_t i = 0; i < sizeof(kStatusTable) / sizeof(kStatusTable[0]); ++i) {
    if (static_cast<size_t>(kStatusTable[i].status) != i) return false;
  }
  return true;
}
static_assert(sizeof(kStatusTable) / sizeof(kStatusTable[0]) == static_cast<size_t>(Status::kCount),
              "every Status needs a row in kStatusTable");
static_assert(TableMatchesEnum(), "kStatusTable rows must be in Status order");

const StatusInfo& InfoFor(Status status) noexcept {
  size_t index = static_cast<size_t>(status);
  if (index >= static_cast<size_t>(Status::kCount)) index = static_cast<size_t>(Status::kOpenSslFailure);
  return kStatusTable[index];
}

}  // namespace

void ThrowStatus(napi_env env, Status status, const char* what) noexcept {
  const StatusInfo& info = InfoFor(status);
  char message[256];
  std::snprintf(message, sizeof(message), "esdk_native: %s: %s", what, info.message);
  switch (info.js_class) {
    case JsClass::kTypeError:
      napi_throw_type_error(env, info.code, message);
      break;
    case JsClass::kRangeError:
      napi_throw_range_error(env, info.code, message);
      break;
    case JsClass::kError:
      napi_throw_error(env, info.code, message);
      break;
  }
}

napi_value StatusError(napi_env env, Status status, const char* what) noexcept {
  const StatusInfo& info = InfoFor(status);
  char message[256];
  std::snprintf(message, sizeof(message), "esdk_native: %s: %s", what, info.message);
  napi_value code = nullptr;
  napi_value text = nullptr;
  napi_value error = nullptr;
  if (napi_create_string_utf8(env, info.code, NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text) != napi_ok) {
    return nullptr;
  }
  napi_status made = napi_generic_failure;
  switch (info.js_class) {
    case JsClass::kTypeError:
      made = napi_create_type_error(env, code, text, &error);
      break;
    case JsClass::kRangeError:
      made = napi_create_range_error(env, code, text, &error);
      break;
    case JsClass::kError:
      made = napi_create_error(env, code, text, &error);
      break;
  }
  return made == napi_ok ? error : nullptr;
}

}  // namespace esdk
