// ECDSA for signed suites: single-use signing keys with a precomputed nonce, digest signing and verification against a
// SEC1 point.
#ifndef ESDK_NATIVE_EC_KEYS_H_
#define ESDK_NATIVE_EC_KEYS_H_

#include <cstddef>

#include "bytes.h"
#include "status.h"
#include "suites.h"

namespace esdk {

// Sizes per curve (SEC1 points, big-endian scalars, DER signatures at their longest).
size_t ScalarSize(Curve curve) noexcept;
size_t CompressedPointSize(Curve curve) noexcept;
size_t UncompressedPointSize(Curve curve) noexcept;
size_t DigestSize(Curve curve) noexcept;
size_t MaxSignatureSize(Curve curve) noexcept;

// A per-message key pair plus, until its first signature, a precomputed nonce (k^-1 and r):
// the two scalar multiplications a signed message costs (key generation and k*G) both happen
// when the key is made, so that making keys ahead on the thread pool takes both off the
// message's critical path. The nonce is taken (atomically) by the first signature; any later
// signature (a caching CMM may reuse a key, on several threads at once) draws a fresh nonce, so
// SignDigest is safe from several threads. Freed with FreeSigningKey, which cleanses every secret.
class SigningKey;

// Fresh key pair and nonce from OpenSSL's DRBG. Thread-safe (runs on the thread pool).
Status GenerateSigningKey(Curve curve, SigningKey** out) noexcept;
// The key pair for a given private scalar (1 <= d < n), with a fresh nonce. `point` is its SEC1
// public point when the caller has it (importing a node:crypto key: no scalar multiplication;
// it must belong to the scalar), or empty to compute it (the test random source's path).
Status SigningKeyFromScalar(Curve curve, ByteView scalar, ByteView point, SigningKey** out) noexcept;
void FreeSigningKey(SigningKey* key) noexcept;

Curve SigningKeyCurve(const SigningKey& key) noexcept;
// The SEC1 compressed public point (CompressedPointSize bytes).
ByteView SigningKeyPublicPoint(const SigningKey& key) noexcept;
// The private scalar and uncompressed public point, for building a node:crypto KeyObject.
Status ExportSigningKey(const SigningKey& key, MutableByteView scalar, MutableByteView uncompressed) noexcept;

// DER signature of `digest` (DigestSize bytes) into `out` (at least MaxSignatureSize).
Status SignDigest(SigningKey& key, ByteView digest, MutableByteView out, size_t* written) noexcept;
// The same with a nonce of its own, never the stored one.
Status SignDigestShared(const SigningKey& key, ByteView digest, MutableByteView out, size_t* written) noexcept;

// kOk when `signature` (strict DER) verifies for `digest` under the SEC1 point (compressed or
// uncompressed); kAuthenticationFailed when it does not or the point is not on the curve.
Status VerifyDigest(Curve curve, ByteView point, ByteView digest, ByteView signature) noexcept;

// Which P-384 operations use our code (p384.h) in this process: "keys" (the default: key generation
// and nonces), "fast" (verification too) or "openssl" (none; also always so without a 64-bit
// __int128 target).
const char* P384Implementation() noexcept;

// Sets the above (lib/core/config.ts hands ESDK_P384, resolved, to the addon at load); false for an
// unknown name. Call before any P-384 work: running work may see either value.
bool SetP384Implementation(const char* name) noexcept;

// SEC1 compressed -> uncompressed, refusing points that are not on the curve (kBadPoint).
Status DecompressPoint(Curve curve, ByteView compressed, MutableByteView uncompressed) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_EC_KEYS_H_
