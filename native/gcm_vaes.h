// AES-GCM (12-byte IV, 16-byte tag) on VAES + VPCLMULQDQ over 256-bit registers, for x86-64 CPUs that have them.
#ifndef ESDK_NATIVE_GCM_VAES_H_
#define ESDK_NATIVE_GCM_VAES_H_

#include <cstddef>
#include <cstdint>

namespace esdk {

// Everything derived from the key. Plain bytes rather than vector types so
// that this header (and every file including it) needs no intrinsics or
// target flags; only gcm_vaes.cc is compiled for AVX2/VAES.
struct GcmVaesKey {
  // Round key r in both 128-bit lanes: one vaesenc with a memory operand
  // runs a round on two counter blocks.
  alignas(32) uint8_t round_keys[15][32];
  // GHASH key powers for 16-block aggregation, each times x^-1 in the
  // bit-reflected representation (gcm_vaes.cc says why): pair j holds
  // H^(16-2j) in its low lane and H^(15-2j) in its high lane.
  alignas(32) uint8_t h_powers[8][32];
  alignas(16) uint8_t h1[16];
  uint32_t rounds;
};

// True when this build has the implementation and the CPU reports AVX2,
// VAES, VPCLMULQDQ, AES-NI and PCLMULQDQ (with the OS saving YMM state).
bool GcmVaesSupported() noexcept;

// key_size is 16, 24 or 32. Must only be called when GcmVaesSupported().
// The caller owns `key` and wipes it (OPENSSL_cleanse) when done.
void GcmVaesInit(GcmVaesKey* key, const uint8_t* key_bytes, size_t key_size) noexcept;

// out = CTR(in), tag = GCM tag over (aad_a ‖ aad_b, out). `in` and `out` may
// be equal but must not otherwise overlap. The caller keeps one invocation
// under 2^32-2 blocks (SP 800-38D 5.2.1.1).
void GcmVaesSeal(const GcmVaesKey& key, const uint8_t* iv, const uint8_t* aad_a, size_t aad_a_size,
                 const uint8_t* aad_b, size_t aad_b_size, const uint8_t* in, size_t size, uint8_t* out,
                 uint8_t* tag) noexcept;

// out = CTR(in) and `expected_tag` = the tag the ciphertext `in` should
// carry; the caller compares it in constant time and wipes it.
void GcmVaesOpen(const GcmVaesKey& key, const uint8_t* iv, const uint8_t* aad_a, size_t aad_a_size,
                 const uint8_t* aad_b, size_t aad_b_size, const uint8_t* in, size_t size, uint8_t* out,
                 uint8_t* expected_tag) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_GCM_VAES_H_
