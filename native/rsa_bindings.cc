// N-API wrappers for RSA PKCS#1 v1.5 unwrap: type-tagged key handles freed on dispose or in the finalizer.
#include "rsa_bindings.h"

#include "error_mark.h"
#include "js_args.h"
#include "rsa_pkcs1.h"
#include "tagged_handle.h"

namespace esdk {
namespace {

// Random 128-bit tag, distinct from the signing keys': napi_check_object_type_tag tells our RSA
// handles from any other external (a signing key, another addon's, a forged object).
constexpr napi_type_tag kRsaKeyTag = {0x3c9e5a17b2d84f06ULL, 0xe71b0d4a96c2358fULL};

using RsaKeyHandles = TaggedHandle<RsaKey, FreeRsaKey, kRsaKeyTag>;
using RsaKeyHolder = RsaKeyHandles::Holder;

// The holder behind argument `index`, recording kNotRsaKey in `args` when it is not one.
RsaKeyHolder* HolderAt(const Napi::CallbackInfo& info, JsArgs& args, size_t index, const char* name) noexcept {
  if (!args.ok()) return nullptr;
  RsaKeyHolder* holder = RsaKeyHandles::Unwrap(info.Env(), info[index]);
  if (holder == nullptr) args.Fail(Status::kNotRsaKey, name);
  return holder;
}

// A live key behind argument `index`; kKeyDisposed once disposed.
RsaKey* KeyAt(const Napi::CallbackInfo& info, JsArgs& args, size_t index, const char* name) noexcept {
  RsaKeyHolder* holder = HolderAt(info, args, index, name);
  if (holder == nullptr) return nullptr;
  if (holder->key == nullptr) args.Fail(Status::kKeyDisposed, name);
  return holder->key;
}

}  // namespace

Napi::Value RsaPrivateKeyFromDerBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const ByteView der = args.BytesAt(0, "der");
  if (!args.ok()) return args.Throw();
  RsaKey* key = nullptr;
  args.Fail(ImportRsaPrivateKey(der, &key), "rsaPrivateKeyFromDer");
  if (!args.ok()) return args.Throw();
  Napi::Value handle = RsaKeyHandles::Wrap(info.Env(), key);
  if (handle.IsEmpty()) {
    args.Fail(Status::kOpenSslFailure, "rsaPrivateKeyFromDer");
    return args.Throw();
  }
  return handle;
}

Napi::Value RsaKeyInfoBinding(const Napi::CallbackInfo& info) {
  JsArgs args(info);
  const RsaKey* key = KeyAt(info, args, 0, "handle");
  if (!args.ok()) return args.Throw();
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("modulusBytes", Napi::Number::New(env, static_cast<double>(RsaModulusBytes(*key))));
  out.Set("implicitRejection", Napi::Boolean::New(env, RsaImplicitRejection(*key)));
  return out;
}

Napi::Value RsaPkcs1UnwrapBinding(const Napi::CallbackInfo& info) {
  // Also keeps whatever OpenSSL queued about the padding off this thread's error queue, where a
  // later node:crypto call could otherwise surface it.
  ErrorMark mark;
  JsArgs args(info);
  RsaKey* key = KeyAt(info, args, 0, "handle");
  const ByteView ciphertext = args.BytesAt(1, "ciphertext");
  const MutableByteView out = args.MutableBytesAt(2, "out");
  if (args.ok()) args.Fail(RsaPkcs1Unwrap(*key, ciphertext, out), "rsaPkcs1Unwrap");
  if (!args.ok()) return args.Throw();
  return info.Env().Undefined();
}

Napi::Value DisposeRsaKeyBinding(const Napi::CallbackInfo& info) {
  JsArgs args(info);
  RsaKeyHolder* holder = HolderAt(info, args, 0, "handle");
  if (!args.ok()) return args.Throw();
  RsaKeyHandles::Dispose(holder);
  return info.Env().Undefined();
}

}  // namespace esdk
