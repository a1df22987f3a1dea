// The crypto entry points the addon exports; each converts arguments, calls one native operation, maps its Status.
#ifndef ESDK_NATIVE_CRYPTO_BINDINGS_H_
#define ESDK_NATIVE_CRYPTO_BINDINGS_H_

#include <napi.h>

namespace esdk {

// deriveKeys(suiteId, dataKey, messageId, outKey, outCommitment): undefined
Napi::Value DeriveKeysBinding(const Napi::CallbackInfo& info);
// headerAuthTag(suiteId, key, iv, headerBody, extraAad, outTag): undefined
Napi::Value HeaderAuthTagBinding(const Napi::CallbackInfo& info);
// verifyHeaderAuth(suiteId, key, iv, headerBody, extraAad, tag): boolean
Napi::Value VerifyHeaderAuthBinding(const Napi::CallbackInfo& info);
// sealFramedBody(suiteId, key, messageId, plaintext, frameLength, out, outOffset): bytes written
Napi::Value SealFramedBodyBinding(const Napi::CallbackInfo& info);
// openBody(suiteId, key, messageId, source, frameTable, out): boolean
Napi::Value OpenBodyBinding(const Napi::CallbackInfo& info);
// gcmSeal(key, iv, aad, plaintext, out = ciphertext ‖ tag): undefined (raw AES keyring wrap)
Napi::Value GcmSealBinding(const Napi::CallbackInfo& info);
// gcmOpen(key, iv, aad, sealed = ciphertext ‖ tag, out): boolean (false: tag mismatch, out zeroed)
Napi::Value GcmOpenBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_CRYPTO_BINDINGS_H_
