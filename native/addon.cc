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
#include "ecdh_bindings.h"
#include "ecdsa_bindings.h"
#include "gcm.h"
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
// 3: + gcmSeal, gcmOpen, sealMessage, openMessage, sealMessageAsync, openMessageAsync, ECDSA signing-key handles,
// signDigest, verifyMessage(Async),
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

// configure({gcm: 'vaes' | 'evp', p384: 'keys' | 'fast' | 'openssl'}): the settings lib/core/config.ts
// read from ESDK_GCM_IMPL and ESDK_P384, handed over by the loader right after dlopen, before any
// crypto runs. Returns what is in force (vaes only where the CPU has it). A missing key keeps the
// current setting; an unknown value throws a TypeError and changes nothing.
Napi::Value Configure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "configure expects an options object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object options = info[0].As<Napi::Object>();
  Napi::Value gcm = options.Get("gcm");
  Napi::Value p384 = options.Get("p384");
  if (env.IsExceptionPending()) return env.Undefined();
  std::string gcm_name = gcm.IsString() ? gcm.As<Napi::String>().Utf8Value() : "";
  std::string p384_name = p384.IsString() ? p384.As<Napi::String>().Utf8Value() : "";
  const bool gcm_ok = gcm.IsUndefined() || gcm_name == "vaes" || gcm_name == "evp";
  const bool p384_ok = p384.IsUndefined() || p384_name == "keys" || p384_name == "fast" || p384_name == "openssl";
  if (!gcm_ok || !p384_ok) {
    Napi::TypeError::New(
        env, gcm_ok ? "configure: p384 must be keys, fast or openssl" : "configure: gcm must be vaes or evp")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!gcm.IsUndefined())
    esdk::GcmKey::SetPreferred(gcm_name == "evp" ? esdk::GcmKey::Impl::kEvp : esdk::GcmKey::Impl::kVaes);
  if (!p384.IsUndefined()) esdk::SetP384Implementation(p384_name.c_str());
  Napi::Object out = Napi::Object::New(env);
  out.Set("gcm", esdk::GcmKey::DefaultImpl() == esdk::GcmKey::Impl::kVaes ? "vaes" : "evp");
  out.Set("p384", esdk::P384Implementation());
  return out;
}

Napi::Value P384ImplementationGetter(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), esdk::P384Implementation());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Fetch every OpenSSL algorithm now, once: a missing one (e.g. a FIPS
  // provider without HKDF) fails the load with its name, which the loader
  // records as the reason, instead of failing mid-message later.
  const char* missing = nullptr;
  if (esdk::GetAlgorithms(&missing) == nullptr) {
    Napi::Error::New(env, std::string("esdk_native: OpenSSL cannot fetch ") + missing).ThrowAsJavaScriptException();
    return exports;
  }
  // Non-writable, non-configurable: the loader's shape check should see
  // exactly what the binary provides, not something patched later.
  exports.DefineProperties({
      Napi::PropertyDescriptor::Value("abiVersion", Napi::Number::New(env, kAbiVersion), napi_enumerable),
      // Which P-384 code runs (README, native section): for tests and getBackendInfo-style reporting.
      // A getter: configure() may change it after load.
      Napi::PropertyDescriptor::Accessor(env, exports, "p384Implementation", P384ImplementationGetter, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "configure", Configure, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "cpuFeatures", CpuFeatures, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "opensslVersion", OpensslVersion, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "deriveKeys", esdk::DeriveKeysBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "headerAuthTag", esdk::HeaderAuthTagBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "verifyHeaderAuth", esdk::VerifyHeaderAuthBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealFramedBody", esdk::SealFramedBodyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openBody", esdk::OpenBodyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "gcmSeal", esdk::GcmSealBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "gcmOpen", esdk::GcmOpenBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealMessage", esdk::SealMessageBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openMessage", esdk::OpenMessageBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealMessageAsync", esdk::SealMessageAsyncBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openMessageAsync", esdk::OpenMessageAsyncBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "takeSigningKey", esdk::TakeSigningKeyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "generateSigningKeys", esdk::GenerateSigningKeysBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "signingKeyFromScalar", esdk::SigningKeyFromScalarBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "signingKeyPublicKey", esdk::SigningKeyPublicKeyBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "exportSigningKey", esdk::ExportSigningKeyBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "disposeSigningKey", esdk::DisposeSigningKeyBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "signDigest", esdk::SignDigestBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "verifyMessage", esdk::VerifyMessageBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "verifyMessageAsync", esdk::VerifyMessageAsyncBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "decompressPoint", esdk::DecompressPointBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "rsaPrivateKeyFromDer", esdk::RsaPrivateKeyFromDerBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "rsaKeyInfo", esdk::RsaKeyInfoBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "rsaPkcs1Unwrap", esdk::RsaPkcs1UnwrapBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "disposeRsaKey", esdk::DisposeRsaKeyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealBatch", esdk::SealBatchBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealBatchAsync", esdk::SealBatchAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openBatch", esdk::OpenBatchBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openBatchAsync", esdk::OpenBatchAsyncBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealStreamStart", esdk::SealStreamStartBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealStreamRun", esdk::SealStreamRunBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "sealStreamRunAsync", esdk::SealStreamRunAsyncBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamStart", esdk::OpenStreamStartBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamRun", esdk::OpenStreamRunBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamRunAsync", esdk::OpenStreamRunAsyncBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamVerify", esdk::OpenStreamVerifyBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "openStreamVerifyAsync", esdk::OpenStreamVerifyAsyncBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "disposeMessageStream", esdk::DisposeMessageStreamBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "ecdhPrivateKeyFromDer", esdk::EcdhPrivateKeyFromDerBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "ecdhDeriveKeyingMaterial",
                                         esdk::EcdhDeriveKeyingMaterialBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "disposeEcdhKey", esdk::DisposeEcdhKeyBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "kdfCounterMode", esdk::KdfCounterModeBinding, napi_enumerable),
      // Test-only (lib/backend/native-types.ts NativeGcmTestHooks): not part of the crypto surface.
      Napi::PropertyDescriptor::Function(env, exports, "gcmImplementation", esdk::GcmImplementationBinding,
                                         napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "gcmTestSeal", esdk::GcmTestSealBinding, napi_enumerable),
      Napi::PropertyDescriptor::Function(env, exports, "gcmTestOpen", esdk::GcmTestOpenBinding, napi_enumerable),
  });
  return exports;
}

}  // namespace

NODE_API_MODULE(esdk_native, Init)
