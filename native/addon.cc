// Registers the esdk_native Node-API module: build facts (ABI, CPU, OpenSSL) and the crypto entry points.
#include <napi.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include <cstdint>
#include <string>

#include "algorithms.h"
#include "batch_bindings.h"
#include "cpu_features.h"
#include "crypto_bindings.h"
#include "ec_keys.h"
#include "ecdsa_bindings.h"
#include "gcm_test_bindings.h"
#include "message_bindings.h"
#include "parallel_bindings.h"
#include "rsa_bindings.h"
#include "stream_bindings.h"

namespace {

// Must match EXPECTED_ABI_VERSION in lib/backend/native-loader.ts; bump both
// whenever the exported surface changes incompatibly, so a stale binary is
// rejected by the loader instead of misbehaving.
// 2: deriveKeys, headerAuthTag, verifyHeaderAuth, sealFramedBody, openBody.
// 3: + gcmSeal, gcmOpen, sealMessage, openMessage, sealMessageAsync, openMessageAsync, ECDSA signing-key handles, signDigest, verifyMessage(Async),
//    decompressPoint.
// 4: + rsaPrivateKeyFromDer, rsaKeyInfo, rsaPkcs1Unwrap, disposeRsaKey (RSA PKCS#1 v1.5 unwrap).
// 5: + takeSigningKey (the process-wide signing-key stock).
// 6: + message streams: sealStreamStart, sealStreamRun(Async), openStreamStart, openStreamRun(Async),
//    openStreamVerify(Async), disposeMessageStream.
//    Optional (the loader does not require them; without them the batch API loops over messages):
//    sealBatch(Async), openBatch(Async).
constexpr uint32_t kAbiVersion = 6;

Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const esdk::CpuFeatures& f = esdk::GetCpuFeatures();
  Napi::Object out = Napi::Object::New(env);
  out.Set("arch", f.arch);
  // Only the current family's keys are present, so JS can tell "absent on
  // this architecture" from "not supported by this CPU".
  switch (f.family) {
    case esdk::CpuFamily::kX86:
      out.Set("aesni", f.aesni);
      out.Set("pclmulqdq", f.pclmulqdq);
      out.Set("avx2", f.avx2);
      out.Set("vaes", f.vaes);
      out.Set("vpclmulqdq", f.vpclmulqdq);
      out.Set("avx512f", f.avx512f);
      break;
    case esdk::CpuFamily::kArm64:
      out.Set("aes", f.aes);
      out.Set("pmull", f.pmull);
      out.Set("sha2", f.sha2);
      break;
    case esdk::CpuFamily::kOther:
      break;
  }
  return out;
}

Napi::Value OpensslVersion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  // compiled vs runtime differ only if the headers are not Node's own,
  // which would make struct layouts and macros untrustworthy.
  out.Set("compiled", OPENSSL_VERSION_TEXT);
  out.Set("runtime", OpenSSL_version(OPENSSL_VERSION));
  out.Set("number", static_cast<double>(OpenSSL_version_num()));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Fetch every OpenSSL algorithm now, once: a missing one (e.g. a FIPS
  // provider without HKDF) fails the load with its name, which the loader
  // records as the reason, instead of failing mid-message later.
  const char* missing = nullptr;
  if (esdk::GetAlgorithms(&missing) == nullptr) {
    Napi::Error::New(env, std::string("esdk_native: OpenSSL cannot fetch ") + missing)
        .ThrowAsJavaScriptException();
    return exports;
  }
  // Non-writable, non-configurable: the loader's shape check should see
  // exactly what the binary provides, not something patched later.
  exports.DefineProperties({
      Napi::PropertyDescriptor::Value(
          "abiVersion", Napi::Number::New(env, kAbiVersion), napi_enumerable),
      // Which P-384 code runs (README, native section): for tests and getBackendInfo-style reporting.
      Napi::PropertyDescriptor::Value(
          "p384Implementation", Napi::String::New(env, esdk::P384Implementation()), napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "cpuFeatures",
                                         CpuFeatures, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "opensslVersion",
                                         OpensslVersion, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "deriveKeys",
                                         esdk::DeriveKeysBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "headerAuthTag",
                                         esdk::HeaderAuthTagBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "verifyHeaderAuth",
                                         esdk::VerifyHeaderAuthBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealFramedBody",
                                         esdk::SealFramedBodyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openBody",
                                         esdk::OpenBodyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "gcmSeal",
                                         esdk::GcmSealBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "gcmOpen",
                                         esdk::GcmOpenBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealMessage",
                                         esdk::SealMessageBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openMessage",
                                         esdk::OpenMessageBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealMessageAsync",
                                         esdk::SealMessageAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openMessageAsync",
                                         esdk::OpenMessageAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "takeSigningKey",
                                         esdk::TakeSigningKeyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "generateSigningKeys",
                                         esdk::GenerateSigningKeysBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "signingKeyFromScalar",
                                         esdk::SigningKeyFromScalarBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "signingKeyPublicKey",
                                         esdk::SigningKeyPublicKeyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "exportSigningKey",
                                         esdk::ExportSigningKeyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "disposeSigningKey",
                                         esdk::DisposeSigningKeyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "signDigest",
                                         esdk::SignDigestBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "verifyMessage",
                                         esdk::VerifyMessageBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "verifyMessageAsync",
                                         esdk::VerifyMessageAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "decompressPoint",
                                         esdk::DecompressPointBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "rsaPrivateKeyFromDer",
                                         esdk::RsaPrivateKeyFromDerBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "rsaKeyInfo",
                                         esdk::RsaKeyInfoBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "rsaPkcs1Unwrap",
                                         esdk::RsaPkcs1UnwrapBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "disposeRsaKey",
                                         esdk::DisposeRsaKeyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealBatch",
                                         esdk::SealBatchBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealBatchAsync",
                                         esdk::SealBatchAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openBatch",
                                         esdk::OpenBatchBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openBatchAsync",
                                         esdk::OpenBatchAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealStreamStart",
                                         esdk::SealStreamStartBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealStreamRun",
                                         esdk::SealStreamRunBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealStreamRunAsync",
                                         esdk::SealStreamRunAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamStart",
                                         esdk::OpenStreamStartBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamRun",
                                         esdk::OpenStreamRunBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamRunAsync",
                                         esdk::OpenStreamRunAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamVerify",
                                         esdk::OpenStreamVerifyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamVerifyAsync",
                                         esdk::OpenStreamVerifyAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "disposeMessageStream",
                                         esdk::DisposeMessageStreamBinding, napi_enumerable),
      // Test-only (lib/backend/native-types.ts NativeGcmTestHooks): not part of the crypto surface.
      Napi::PropertyDescriptor::Function(env, exports, "gcmImplementation",
                                         esdk::GcmImplementationBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "gcmTestSeal",
                                         esdk::GcmTestSealBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "gcmTestOpen",
                                         esdk::GcmTestOpenBinding, napi_enumerable),
  });
  return exports;
}

}  // namespace

NODE_API_MODULE(esdk_native, Init)
