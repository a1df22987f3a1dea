// Status codes returned by the native crypto layer, and the one function that turns them into JS errors.
#ifndef ESDK_NATIVE_STATUS_H_
#define ESDK_NATIVE_STATUS_H_

#include <node_api.h>

#include <cstdint>

namespace esdk {

// Every native failure is one of these; kStatusTable in status.cc maps each
// to a JS error class, a stable `code` and a message. Crypto code returns a
// Status and never throws: only the binding layer touches the JS engine.
enum class Status : uint8_t {
  kOk = 0,
  // Reported to JS as `false` (openBody / verifyHeaderAuth), never thrown:
  // an authentication failure must look the same whatever its cause.
  kAuthenticationFailed,
  kNotUint8Array,
  kNotFloat64Array,
  kNotSafeInteger,
  kUnknownSuite,
  kBadKeyLength,
  kBadMessageIdLength,
  kBadIvLength,
  kBadOutputLength,
  kBadFrameLength,
  kTooManyFrames,
  kBadFrameTable,
  kOverlap,
  kBadDigestLength,
  kBadPoint,
  kNotSigningKey,
  kNotFunction,
  kKeyDisposed,
  kBadSignatureLength,
  kOpenSslFailure,
  kNotRsaKey,
  kBadRsaKey,
  kStreamState,
  kPartialFrame,
  kNotMessageStream,
  kNotEcdhKey,
  kBadEcdhKey,
  kBadKdfInput,
  kNotArray,
  kBadBatchTable,
  kCount,  // keep last
};

// Throws the JS error for `status` (which must not be kOk), prefixing the
// message with `what` (the argument or operation concerned).
void ThrowStatus(napi_env env, Status status, const char* what) noexcept;

// The same error as a value (for callbacks of asynchronous operations); nullptr if it cannot be made.
napi_value StatusError(napi_env env, Status status, const char* what) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_STATUS_H_
