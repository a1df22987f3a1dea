// P-384 group arithmetic (SP 800-186 / SEC 2 secp384r1): constant-time fixed-base multiplication and a
// variable-time double-scalar multiplication for verification. Scalars, coordinates: 48-byte big-endian.
//
// Why: Node 20's OpenSSL 3.0 has only generic BN-based P-384 code (~1.2 ms per scalar multiplication);
// every signed message needs two of them to sign and one double multiplication to verify. This is
// our own 6x64-bit Montgomery field code. k*G (secret k) uses the complete projective formulas of
// Renes, Costello and Batina (2016, a = -3), so there is no exceptional case to branch on, and a
// table of multiples of G, so there is no doubling. Verification's u1*G + u2*Q needs 384 doublings
// whatever the method and uses Jacobian coordinates (cheaper doublings), branching on the
// exceptional cases (public inputs). Everything else (scalar arithmetic mod n, DER, key objects)
// stays with OpenSSL in ec_keys.cc.
#ifndef ESDK_NATIVE_P384_H_
#define ESDK_NATIVE_P384_H_

#include <cstddef>
#include <cstdint>

// The field code needs a 64x64->128-bit multiply (unsigned __int128: GCC/Clang on 64-bit targets).
// Elsewhere the functions below exist but Available() is false and ec_keys.cc keeps OpenSSL.
#if defined(__SIZEOF_INT128__) && (defined(__x86_64__) || defined(__aarch64__))
#define ESDK_P384_FAST 1
#else
#define ESDK_P384_FAST 0
#endif

namespace esdk {
namespace p384 {

constexpr size_t kBytes = 48;

// True when compiled in and the table of multiples of G (built once, thread-safe, at the first
// call: ~2 ms) is ready. Every other function returns false when this is false.
bool Available() noexcept;

// (x, y) = k*G, affine. Constant time in k (no secret-dependent branch or memory index): for
// key generation and ECDSA nonces. k is any 384-bit value (used mod n); false when k*G is the
// identity (k == 0 mod n), with x and y zeroed.
bool BaseMul(const uint8_t k[kBytes], uint8_t x[kBytes], uint8_t y[kBytes]) noexcept;

// x = affine x of u1*G + u2*Q, for ECDSA verification: VARIABLE TIME, for public inputs only.
// Q = (qx, qy) must be on the curve (checked again here: false otherwise); false also when the
// sum is the identity.
bool DoubleMulX(const uint8_t u1[kBytes], const uint8_t u2[kBytes], const uint8_t qx[kBytes], const uint8_t qy[kBytes],
                uint8_t x[kBytes]) noexcept;

}  // namespace p384
}  // namespace esdk

#endif  // ESDK_NATIVE_P384_H_
