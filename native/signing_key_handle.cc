// Signing-key handles: napi externals with a type tag, cleansed on dispose and in the finalizer.
#include "signing_key_handle.h"

#include <new>

namespace esdk {
namespace {

// Random 128-bit tag: napi_check_object_type_tag tells our externals from anything else JS
// might pass (another addon's external, a forged object).
constexpr napi_type_tag kSigningKeyTag = {0x8f3a1c52d07e4b69ULL, 0xa4e2b7d9c1f05318ULL};

void Finalize(napi_env /*env*/, void* data, void* /*hint*/) {
  SigningKeyHolder* holder = static_cast<SigningKeyHolder*>(data);
  FreeSigningKey(holder->key);
  delete holder;
}

}  // namespace

Napi::Value WrapSigningKey(Napi::Env env, SigningKey* key) noexcept {
  SigningKeyHolder* holder = new (std::nothrow) SigningKeyHolder{key};
  if (holder == nullptr) {
    FreeSigningKey(key);
    return Napi::Value();
  }
  napi_value external = nullptr;
  if (napi_create_external(env, holder, Finalize, nullptr, &external) != napi_ok) {
    Finalize(env, holder, nullptr);
    return Napi::Value();
  }
  if (napi_type_tag_object(env, external, &kSigningKeyTag) != napi_ok) return Napi::Value();
  return Napi::Value(env, external);
}

SigningKeyHolder* UnwrapSigningKey(napi_env env, napi_value value) noexcept {
  napi_valuetype type = napi_undefined;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return nullptr;
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, &kSigningKeyTag, &tagged) != napi_ok || !tagged) return nullptr;
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok) return nullptr;
  return static_cast<SigningKeyHolder*>(data);
}

void DisposeSigningKey(SigningKeyHolder* holder) noexcept {
  FreeSigningKey(holder->key);
  holder->key = nullptr;
}

}  // namespace esdk
