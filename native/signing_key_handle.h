// Type-tagged N-API externals that own native signing keys: the only way a SigningKey crosses into JS.
#ifndef ESDK_NATIVE_SIGNING_KEY_HANDLE_H_
#define ESDK_NATIVE_SIGNING_KEY_HANDLE_H_

#include <napi.h>

#include "ec_keys.h"
#include "tagged_handle.h"

namespace esdk {

// Random 128-bit tag of signing-key handles (distinct from the RSA keys').
inline constexpr napi_type_tag kSigningKeyTag = {0x8f3a1c52d07e4b69ULL, 0xa4e2b7d9c1f05318ULL};

using SigningKeyHandles = TaggedHandle<SigningKey, FreeSigningKey, kSigningKeyTag>;
using SigningKeyHolder = SigningKeyHandles::Holder;

// Wraps `key` (taking ownership) in a tagged external whose finalizer frees and cleanses it.
// Returns an empty value, with `key` freed, if the external cannot be created.
inline Napi::Value WrapSigningKey(Napi::Env env, SigningKey* key) noexcept { return SigningKeyHandles::Wrap(env, key); }

// The holder behind a handle, or nullptr when `value` is not one of ours (type tag check).
inline SigningKeyHolder* UnwrapSigningKey(napi_env env, napi_value value) noexcept {
  return SigningKeyHandles::Unwrap(env, value);
}

// Frees and cleanses the key now; later use of the handle fails with kKeyDisposed.
inline void DisposeSigningKey(SigningKeyHolder* holder) noexcept { SigningKeyHandles::Dispose(holder); }

}  // namespace esdk

#endif  // ESDK_NATIVE_SIGNING_KEY_HANDLE_H_
