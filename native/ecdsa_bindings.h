// The ECDSA entry points the addon exports: signing-key handles (made on the thread pool), signing and verification.
#ifndef ESDK_NATIVE_ECDSA_BINDINGS_H_
#define ESDK_NATIVE_ECDSA_BINDINGS_H_

#include <napi.h>

namespace esdk {

// generateSigningKeys(curveBits, count, callback(err, handles[])): keys made on the thread pool.
Napi::Value GenerateSigningKeysBinding(const Napi::CallbackInfo& info);
// takeSigningKey(curveBits): a ready key from the process-wide stock, or undefined; tops the stock up.
Napi::Value TakeSigningKeyBinding(const Napi::CallbackInfo& info);
// signingKeyFromScalar(curveBits, scalar, point?): handle (synchronous: importing a node:crypto key, or
// the test random source's path).
Napi::Value SigningKeyFromScalarBinding(const Napi::CallbackInfo& info);
// signingKeyPublicKey(handle, outCompressed): undefined
Napi::Value SigningKeyPublicKeyBinding(const Napi::CallbackInfo& info);
// exportSigningKey(handle, outScalar, outUncompressed): undefined
Napi::Value ExportSigningKeyBinding(const Napi::CallbackInfo& info);
// disposeSigningKey(handle): undefined (idempotent)
Napi::Value DisposeSigningKeyBinding(const Napi::CallbackInfo& info);
// signDigest(handle, digest, outSignature): DER length
Napi::Value SignDigestBinding(const Napi::CallbackInfo& info);
// verifyMessage(suiteId, point, signed, signature): boolean
Napi::Value VerifyMessageBinding(const Napi::CallbackInfo& info);
// verifyMessageAsync(suiteId, point, signed, signature, callback(err, ok)): hashed and verified on the thread pool
Napi::Value VerifyMessageAsyncBinding(const Napi::CallbackInfo& info);
// decompressPoint(curveBits, compressed, outUncompressed): boolean (false: not a point on the curve)
Napi::Value DecompressPointBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_ECDSA_BINDINGS_H_
