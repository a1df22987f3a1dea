// N-API wrappers for ECDH and the counter-mode KDF: type-tagged EC key handles freed on dispose or in the finalizer.
#include "ecdh_bindings.h"

#include "algorithms.h"
#include "ecdh.h"
#include "error_mark.h"
#include "js_args.h"
#include "tagged_handle.h"

namespace esdk {
namespace {

// Random 128-bit tag, distinct from the signing and RSA keys' tags.
constexpr napi_type_tag kEcdhKeyTag = {0x8d1f62c4a09e3b57ULL, 0x4be7c2095f13a86dULL};

using EcdhKeyHandles = TaggedHandle<EcdhKey, FreeEcdhKey, kEcdhKeyTag>;
using EcdhKeyHolder = EcdhKeyHandles::Holder;

EcdhCurve CurveAt(JsArgs& args, size_t index, const char* name) noexcept {
  const uint64_t bits = args.IntegerAt(index, name, 521);
  if (!args.ok()) return EcdhCurve::kP256;
  switch (bits) {
    case 256:
      return EcdhCurve::kP256;
    case 384:
      return EcdhCurve::kP384;
    case 521:
      return EcdhCurve::kP521;
    default:
      args.Fail(Status::kNotSafeInteger, name);
      return EcdhCurve::kP256;
  }
}

EcdhKeyHolder* HolderAt(const Napi::CallbackInfo& info, JsArgs& args, size_t index, const char* name) noexcept {
  if (!args.ok()) return nullptr;
  EcdhKeyHolder* holder = EcdhKeyHandles::Unwrap(info.Env(), info[index]);
  if (holder == nullptr) args.Fail(Status::kNotEcdhKey, name);
  return holder;
}

}  // namespace

Napi::Value EcdhPrivateKeyFromDerBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const EcdhCurve curve = CurveAt(args, 0, "curveBits");
  const ByteView der = args.BytesAt(1, "der");
  if (!args.ok()) return args.Throw();
  EcdhKey* key = nullptr;
  args.Fail(ImportEcdhPrivateKey(curve, der, &key), "ecdhPrivateKeyFromDer");
  if (!args.ok()) return args.Throw();
  Napi::Value handle = EcdhKeyHandles::Wrap(info.Env(), key);
  if (handle.IsEmpty()) {
    args.Fail(Status::kOpenSslFailure, "ecdhPrivateKeyFromDer");
    return args.Throw();
  }
  return handle;
}

Napi::Value EcdhDeriveKeyingMaterialBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const EcdhCurve curve = CurveAt(args, 0, "curveBits");
  const EcdhKey* key = nullptr;
  if (args.ok() && !info[1].IsUndefined()) {
    EcdhKeyHolder* holder = HolderAt(info, args, 1, "handle");
    if (holder != nullptr && holder->key == nullptr) args.Fail(Status::kKeyDisposed, "handle");
    if (holder != nullptr) key = holder->key;
  }
  const MutableByteView ephemeral = args.MutableBytesAt(2, "ephemeralPublicOut");
  const ByteView peer = args.BytesAt(3, "peerPoint");
  const ByteView salt = args.BytesAt(4, "salt");
  const ByteView fixed_info = args.BytesAt(5, "fixedInfo");
  const MutableByteView out = args.MutableBytesAt(6, "out");
  if (args.ok())
    args.Fail(EcdhDeriveKeyingMaterial(curve, key, ephemeral, peer, salt, fixed_info, out), "ecdhDeriveKeyingMaterial");
  if (!args.ok()) return args.Throw();
  return info.Env().Undefined();
}

Napi::Value DisposeEcdhKeyBinding(const Napi::CallbackInfo& info) {
  JsArgs args(info);
  EcdhKeyHolder* holder = HolderAt(info, args, 0, "handle");
  if (!args.ok()) return args.Throw();
  EcdhKeyHandles::Dispose(holder);
  return info.Env().Undefined();
}

Napi::Value KdfCounterModeBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const uint64_t bits = args.IntegerAt(0, "hashBits", 384);
  const ByteView ikm = args.BytesAt(1, "ikm");
  const ByteView label = args.BytesAt(2, "label");
  const ByteView context = args.BytesAt(3, "context");
  const MutableByteView out = args.MutableBytesAt(4, "out");
  const Algorithms* algorithms = GetAlgorithms(nullptr);
  if (args.ok() && (algorithms == nullptr || (bits != 256 && bits != 384))) args.Fail(Status::kBadKdfInput, "hashBits");
  if (args.ok())
    args.Fail(KdfCounterMode(bits == 256 ? algorithms->sha256 : algorithms->sha384, ikm, label, context, out),
              "kdfCounterMode");
  if (!args.ok()) return args.Throw();
  return info.Env().Undefined();
}

}  // namespace esdk
