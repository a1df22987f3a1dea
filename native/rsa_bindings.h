// The RSA PKCS#1 v1.5 entry points the addon exports: RSA private-key handles and the implicit-rejection unwrap.
#ifndef ESDK_NATIVE_RSA_BINDINGS_H_
#define ESDK_NATIVE_RSA_BINDINGS_H_

#include <napi.h>

namespace esdk {

// rsaPrivateKeyFromDer(der): handle (a type-tagged external owning the parsed key; the caller wipes `der`)
Napi::Value RsaPrivateKeyFromDerBinding(const Napi::CallbackInfo& info);
// rsaKeyInfo(handle): { modulusBytes, implicitRejection }
Napi::Value RsaKeyInfoBinding(const Napi::CallbackInfo& info);
// rsaPkcs1Unwrap(handle, ciphertext, out): undefined; out holds the data key or, when anything about
// the ciphertext is wrong, random bytes (never an error that depends on the ciphertext's content)
Napi::Value RsaPkcs1UnwrapBinding(const Napi::CallbackInfo& info);
// disposeRsaKey(handle): undefined (idempotent); later use of the handle throws ERR_ESDK_NATIVE_KEY_DISPOSED
Napi::Value DisposeRsaKeyBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_RSA_BINDINGS_H_
