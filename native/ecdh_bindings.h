// The raw ECDH keyring's entry points the addon exports: EC private-key handles, ECDH with the counter-mode KDF, and
// the KDF alone.
#ifndef ESDK_NATIVE_ECDH_BINDINGS_H_
#define ESDK_NATIVE_ECDH_BINDINGS_H_

#include <napi.h>

namespace esdk {

// ecdhPrivateKeyFromDer(curveBits 256|384|521, der): handle (a type-tagged external owning the parsed key; the caller
// wipes `der`)
Napi::Value EcdhPrivateKeyFromDerBinding(const Napi::CallbackInfo& info);
// ecdhDeriveKeyingMaterial(curveBits, handle | undefined, ephemeralPublicOut, peerPoint, salt, fixedInfo, out):
// undefined. undefined for the handle means an ephemeral key pair, whose compressed public key goes to
// ephemeralPublicOut (which may be a view into fixedInfo) before the derivation; out (64 bytes) gets the KDF output.
Napi::Value EcdhDeriveKeyingMaterialBinding(const Napi::CallbackInfo& info);
// disposeEcdhKey(handle): undefined (idempotent); later use of the handle throws ERR_ESDK_NATIVE_KEY_DISPOSED
Napi::Value DisposeEcdhKeyBinding(const Napi::CallbackInfo& info);
// kdfCounterMode(hashBits 256|384, ikm, label, context, out): undefined; out (32 or 64 bytes) = the SP 800-108 KDF
Napi::Value KdfCounterModeBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_ECDH_BINDINGS_H_
