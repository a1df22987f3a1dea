// Type-tagged N-API externals that own native signing keys: the only way a SigningKey crosses into JS.
#ifndef ESDK_NATIVE_SIGNING_KEY_HANDLE_H_
#define ESDK_NATIVE_SIGNING_KEY_HANDLE_H_

#include <napi.h>

#include "ec_keys.h"

namespace esdk {

// What an external points at. `key` becomes null once disposed; the holder itself lives until
// the external is collected, so a stale handle is reported as disposed, never dereferenced.
struct SigningKeyHolder {
  SigningKey* key;
};

// Wraps `key` (taking ownership) in a tagged external whose finalizer frees and cleanses it.
// Returns an empty value, with `key` freed, if the external cannot be created.
Napi::Value WrapSigningKey(Napi::Env env, SigningKey* key) noexcept;

// The holder behind a handle, or nullptr when `value` is not one of ours (type tag check).
SigningKeyHolder* UnwrapSigningKey(napi_env env, napi_value value) noexcept;

// Frees and cleanses the key now; later use of the handle fails with kKeyDisposed.
void DisposeSigningKey(SigningKeyHolder* holder) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_SIGNING_KEY_HANDLE_H_
