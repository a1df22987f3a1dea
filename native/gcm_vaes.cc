// AES-GCM (NIST SP 800-38D) with VAES and VPCLMULQDQ on 256-bit registers: two blocks per instruction, 16 per loop.
//
// Representation. GHASH works in GF(2^128) with bit 0 of a block (the most
// significant bit of byte 0) as the coefficient of x^0. Reversing a block's
// 16 bytes and reading it as a little-endian integer puts the coefficient of
// x^(127-j) at integer bit j (the "reflected" form), which PCLMULQDQ can
// multiply directly. A carry-less product of two reflected values, read as a
// 256-bit reflected value, is x·a·b: one factor of x too many. Storing every
// key power premultiplied by x^-1 (once, at key setup) cancels it, so a
// product needs no bit shift. Reducing mod P = x^128+x^7+x^2+x+1 then is a
// Montgomery-style fold of the low 128 bits, 64 bits at a time, by the
// reflected image of P's low terms (0xC2 << 56).
//
// Speed. Counter blocks are encrypted 16 at a time (8 ymm registers, enough
// independent vaesenc chains to cover the instruction's latency), and the
// GHASH of 16 blocks (another chunk's ciphertext) is interleaved with the
// AES rounds so the AES and carry-less-multiply units work at once; GHASH
// multiplies by H^16..H^1 and reduces once per 16 blocks.
//
// Constant time: AES is AES-NI only (the key schedule's S-box too, via
// aesenclast), GHASH is PCLMULQDQ only; no branch or index depends on a key,
// on data, or on the tag.
#include "gcm_vaes.h"

#include <openssl/crypto.h>

#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ESDK_GCM_VAES_BUILT 1
#include <immintrin.h>

#include "cpu_features.h"
#include "ct.h"
#else
#define ESDK_GCM_VAES_BUILT 0
#endif

namespace esdk {

#if ESDK_GCM_VAES_BUILT

// Only these functions are compiled for the extensions; the rest of the addon
// stays baseline x86-64 and dispatch happens at run time.
#define ESDK_VAES __attribute__((target("avx2,vaes,vpclmulqdq,aes,pclmul")))
#define ESDK_VAES_INLINE ESDK_VAES __attribute__((always_inline)) inline

namespace {

constexpr size_t kBlock = 16;
constexpr size_t kChunkBlocks = 16;
constexpr size_t kChunkBytes = kChunkBlocks * kBlock;
constexpr int kPairs = 8;  // ymm registers per chunk

ESDK_VAES_INLINE __m128i Load128(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
ESDK_VAES_INLINE void Store128(uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
ESDK_VAES_INLINE __m256i Load256(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
ESDK_VAES_INLINE void Store256(uint8_t* p, __m256i v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }

// Byte i of the result is byte 15-i of the input (per 128-bit lane).
ESDK_VAES_INLINE __m128i ReverseMask128() { return _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }
ESDK_VAES_INLINE __m256i ReverseMask256() { return _mm256_broadcastsi128_si256(ReverseMask128()); }

// Reduces the 256-bit reflected product hi·2^128 ⊕ mid·2^64 ⊕ lo modulo P.
// Reading integer bit k as y^k (y = 1/x), P becomes the modulus
// 1 + y^121 + y^126 + y^127 + y^128, and reduction is Montgomery-style: each
// fold adds (low 64 bits)·modulus, which clears those bits, and drops them.
// The y^128 term is the half swap, y^121+y^126+y^127 one clmul by 0xC2 << 56.
ESDK_VAES_INLINE __m128i Reduce(__m128i lo, __m128i mid, __m128i hi) {
  lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
  hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
  const __m128i poly = _mm_set_epi64x(0, static_cast<long long>(0xC200000000000000ULL));
  __m128i t = _mm_clmulepi64_si128(lo, poly, 0x00);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4E), t);
  t = _mm_clmulepi64_si128(lo, poly, 0x00);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4E), t);
  return _mm_xor_si128(hi, lo);
}

// a·b in the reflected form, where b carries the x^-1 factor.
ESDK_VAES_INLINE __m128i GfMul(__m128i a, __m128i b) {
  const __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
  const __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
  const __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
  return Reduce(lo, mid, hi);
}

// Unreduced sums of two-lane products, reduced once per group of blocks.
struct Accumulator {
  __m256i lo, mid, hi;
};

ESDK_VAES_INLINE void AccStart(Accumulator& acc, __m256i d, __m256i k) {
  acc.lo = _mm256_clmulepi64_epi128(d, k, 0x00);
  acc.hi = _mm256_clmulepi64_epi128(d, k, 0x11);
  acc.mid = _mm256_xor_si256(_mm256_clmulepi64_epi128(d, k, 0x01), _mm256_clmulepi64_epi128(d, k, 0x10));
}

ESDK_VAES_INLINE void AccAdd(Accumulator& acc, __m256i d, __m256i k) {
  acc.lo = _mm256_xor_si256(acc.lo, _mm256_clmulepi64_epi128(d, k, 0x00));
  acc.hi = _mm256_xor_si256(acc.hi, _mm256_clmulepi64_epi128(d, k, 0x11));
  acc.mid = _mm256_xor_si256(acc.mid, _mm256_clmulepi64_epi128(d, k, 0x01));
  acc.mid = _mm256_xor_si256(acc.mid, _mm256_clmulepi64_epi128(d, k, 0x10));
}

// Without this GCC reassociates a whole chunk's XOR chain into one tree at
// the end, keeping all 32 products live and spilling them to the stack;
// pinning the accumulators after each pair keeps them in registers.
#if defined(ESDK_CT_MSAN)
// MemorySanitizer (the constant-time harness, test/native/ct/ct_gcm.cc) checks inline-asm operands
// as uses and clears their taint; the pin emits no instruction, so that build goes without it.
ESDK_VAES_INLINE void AccPin(Accumulator&) {}
#else
ESDK_VAES_INLINE void AccPin(Accumulator& acc) { __asm__("" : "+x"(acc.lo), "+x"(acc.mid), "+x"(acc.hi)); }
#endif

ESDK_VAES_INLINE __m128i Fold(__m256i v) {
  return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

ESDK_VAES_INLINE __m128i AccFinish(const Accumulator& acc) { return Reduce(Fold(acc.lo), Fold(acc.mid), Fold(acc.hi)); }

// Two blocks from memory in the reflected form (first block in the low lane).
ESDK_VAES_INLINE __m256i LoadReflected(const uint8_t* p) { return _mm256_shuffle_epi8(Load256(p), ReverseMask256()); }

ESDK_VAES_INLINE __m256i KeyPair(const GcmVaesKey& k, int j) { return Load256(k.h_powers[j]); }
ESDK_VAES_INLINE __m256i RoundKey(const GcmVaesKey& k, uint32_t r) { return Load256(k.round_keys[r]); }

// GHASH of `pairs` (1..8) block pairs, using the last `pairs` key pairs so
// the final block is multiplied by H^1.
ESDK_VAES_INLINE __m128i GhashPairs(const GcmVaesKey& k, __m128i x, const uint8_t* p, int pairs) {
  const int first = kPairs - pairs;
  Accumulator acc;
  AccStart(acc, _mm256_xor_si256(LoadReflected(p), _mm256_zextsi128_si256(x)), KeyPair(k, first));
  for (int j = 1; j < pairs; ++j) {
    AccPin(acc);
    AccAdd(acc, LoadReflected(p + 32 * j), KeyPair(k, first + j));
  }
  return AccFinish(acc);
}

ESDK_VAES __m128i GhashBlocks(const GcmVaesKey& k, __m128i x, const uint8_t* p, size_t blocks) {
  for (; blocks >= kChunkBlocks; blocks -= kChunkBlocks, p += kChunkBytes) x = GhashPairs(k, x, p, kPairs);
  if ((blocks & 1) != 0) {
    // An odd block first, alone, so the rest pairs up with the table's
    // (even, odd) power lanes.
    x = GfMul(_mm_xor_si128(x, _mm_shuffle_epi8(Load128(p), ReverseMask128())), Load128(k.h1));
    p += kBlock;
    --blocks;
  }
  if (blocks > 0) x = GhashPairs(k, x, p, static_cast<int>(blocks / 2));
  return x;
}

// GHASH over aad_a ‖ aad_b as one string: a block may straddle the pieces.
ESDK_VAES __m128i GhashAad(const GcmVaesKey& k, const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size) {
  __m128i x = _mm_setzero_si128();
  x = GhashBlocks(k, x, a, a_size / kBlock);
  const size_t a_rest = a_size % kBlock;
  uint8_t block[kBlock];
  if (a_rest != 0) {
    const size_t take = b_size < kBlock - a_rest ? b_size : kBlock - a_rest;
    std::memset(block, 0, sizeof block);
    std::memcpy(block, a + (a_size - a_rest), a_rest);
    if (take != 0) std::memcpy(block + a_rest, b, take);
    x = GhashBlocks(k, x, block, 1);
    b += take;
    b_size -= take;
  }
  x = GhashBlocks(k, x, b, b_size / kBlock);
  const size_t b_rest = b_size % kBlock;
  if (b_rest != 0) {
    std::memset(block, 0, sizeof block);
    std::memcpy(block, b + (b_size - b_rest), b_rest);
    x = GhashBlocks(k, x, block, 1);
  }
  return x;
}

ESDK_VAES_INLINE __m128i EncryptBlock(const GcmVaesKey& k, __m128i b) {
  b = _mm_xor_si128(b, Load128(k.round_keys[0]));
  for (uint32_t r = 1; r < k.rounds; ++r) b = _mm_aesenc_si128(b, Load128(k.round_keys[r]));
  return _mm_aesenclast_si128(b, Load128(k.round_keys[k.rounds]));
}

// Counter blocks are kept byte-reversed, so the 32-bit big-endian counter
// (IV bytes 12..15) is dword 0 of each lane: vpaddd increments it modulo
// 2^32 without carrying into the IV, exactly inc32 (SP 800-38D 6.2).
ESDK_VAES_INLINE __m256i CounterStart(const uint8_t* iv) {
  uint8_t block[kBlock] = {0};
  std::memcpy(block, iv, 12);
  const __m128i base = _mm_shuffle_epi8(Load128(block), ReverseMask128());
  // The first data block uses counter 2; J0 (counter 1) is the tag mask.
  return _mm256_add_epi32(_mm256_broadcastsi128_si256(base), _mm256_set_epi32(0, 0, 0, 3, 0, 0, 0, 2));
}

ESDK_VAES_INLINE __m256i CounterOffset(int pair) { return _mm256_set_epi32(0, 0, 0, 2 * pair, 0, 0, 0, 2 * pair); }

// One chunk of 16 blocks: out = in ⊕ E(counters), and, when kHash, the
// GHASH of the 16 blocks at `hash_src` folded into x, interleaved with the
// AES rounds. hash_src may equal `in` (decryption hashes the ciphertext it
// is about to overwrite): every hash load precedes the stores.
template <bool kHash>
ESDK_VAES_INLINE void Chunk(const GcmVaesKey& k, __m256i& ctr, const uint8_t* in, uint8_t* out, const uint8_t* hash_src,
                            __m128i& x) {
  const __m256i rev = ReverseMask256();
  __m256i s[kPairs];
  const __m256i k0 = RoundKey(k, 0);
#pragma GCC unroll 8
  for (int j = 0; j < kPairs; ++j) {
    s[j] = _mm256_xor_si256(_mm256_shuffle_epi8(_mm256_add_epi32(ctr, CounterOffset(j)), rev), k0);
  }
  ctr = _mm256_add_epi32(ctr, _mm256_set_epi32(0, 0, 0, 16, 0, 0, 0, 16));

  Accumulator acc{_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
  // Every key size has at least 9 full rounds, so rounds 1..8 each carry one
  // pair's GHASH multiply.
#pragma GCC unroll 8
  for (int r = 1; r <= kPairs; ++r) {
    const __m256i rk = RoundKey(k, static_cast<uint32_t>(r));
#pragma GCC unroll 8
    for (int j = 0; j < kPairs; ++j) s[j] = _mm256_aesenc_epi128(s[j], rk);
    if constexpr (kHash) {
      const int pair = r - 1;
      __m256i d = _mm256_shuffle_epi8(Load256(hash_src + 32 * pair), rev);
      if (pair == 0) d = _mm256_xor_si256(d, _mm256_zextsi128_si256(x));
      AccAdd(acc, d, KeyPair(k, pair));
      AccPin(acc);
    }
  }
  for (uint32_t r = kPairs + 1; r < k.rounds; ++r) {
    const __m256i rk = RoundKey(k, r);
#pragma GCC unroll 8
    for (int j = 0; j < kPairs; ++j) s[j] = _mm256_aesenc_epi128(s[j], rk);
  }
  const __m256i last = RoundKey(k, k.rounds);
#pragma GCC unroll 8
  for (int j = 0; j < kPairs; ++j) {
    s[j] = _mm256_aesenclast_epi128(s[j], last);
    Store256(out + 32 * j, _mm256_xor_si256(s[j], Load256(in + 32 * j)));
  }
  if constexpr (kHash) x = AccFinish(acc);
}

// The last 1..255 bytes: keystream for just the blocks needed, through a
// zero-padded stack buffer so the final partial block is hashed padded
// (SP 800-38D 6.4) and never read or written past the caller's bounds.
ESDK_VAES __m128i Tail(const GcmVaesKey& k, __m256i ctr, const uint8_t* in, uint8_t* out, size_t size, __m128i x,
                       bool encrypt) {
  const __m256i rev = ReverseMask256();
  alignas(32) uint8_t buf[kChunkBytes];
  const size_t blocks = (size + kBlock - 1) / kBlock;
  const int pairs = static_cast<int>((blocks + 1) / 2);
  std::memset(buf, 0, sizeof buf);
  std::memcpy(buf, in, size);
  if (!encrypt) x = GhashBlocks(k, x, buf, blocks);

  __m256i s[kPairs];
  const __m256i k0 = RoundKey(k, 0);
  for (int j = 0; j < pairs; ++j) {
    s[j] = _mm256_xor_si256(_mm256_shuffle_epi8(_mm256_add_epi32(ctr, CounterOffset(j)), rev), k0);
  }
  for (uint32_t r = 1; r < k.rounds; ++r) {
    const __m256i rk = RoundKey(k, r);
    for (int j = 0; j < pairs; ++j) s[j] = _mm256_aesenc_epi128(s[j], rk);
  }
  const __m256i last = RoundKey(k, k.rounds);
  for (int j = 0; j < pairs; ++j) {
    Store256(buf + 32 * j, _mm256_xor_si256(_mm256_aesenclast_epi128(s[j], last), Load256(buf + 32 * j)));
  }
  std::memcpy(out, buf, size);
  if (encrypt) {
    // Keystream past the end is not ciphertext: hash zero padding instead.
    std::memset(buf + size, 0, sizeof buf - size);
    x = GhashBlocks(k, x, buf, blocks);
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return x;
}

// E_K(J0) with J0 = IV ‖ 0^31 ‖ 1 (SP 800-38D 7.1 step 2): the tag mask.
// Computed first, so its serial rounds overlap the AAD hashing instead of
// adding their latency to the end of every frame.
ESDK_VAES_INLINE __m128i TagMask(const GcmVaesKey& k, const uint8_t* iv) {
  uint8_t j0[kBlock];
  std::memcpy(j0, iv, 12);
  j0[12] = 0;
  j0[13] = 0;
  j0[14] = 0;
  j0[15] = 1;
  return EncryptBlock(k, Load128(j0));
}

// tag = E(J0) ⊕ GHASH(..., len(A) ‖ len(C)) (SP 800-38D 7.1 steps 5-6).
ESDK_VAES_INLINE void Finish(const GcmVaesKey& k, __m128i mask, __m128i x, uint64_t aad_size, uint64_t size,
                             uint8_t* tag) {
  // The reflected length block: its two big-endian 64-bit bit counts,
  // byte-reversed, are the little-endian halves swapped.
  const __m128i lengths = _mm_set_epi64x(static_cast<long long>(aad_size * 8), static_cast<long long>(size * 8));
  x = GfMul(_mm_xor_si128(x, lengths), Load128(k.h1));
  Store128(tag, _mm_xor_si128(mask, _mm_shuffle_epi8(x, ReverseMask128())));
}

// SubWord (FIPS 197 5.2) without a table: with the word in all four columns
// ShiftRows moves nothing, so aesenclast with a zero key is SubBytes alone.
ESDK_VAES_INLINE uint32_t SubWord(uint32_t w) {
  const __m128i v = _mm_aesenclast_si128(_mm_set1_epi32(static_cast<int>(w)), _mm_setzero_si128());
  return static_cast<uint32_t>(_mm_cvtsi128_si32(v));
}

}  // namespace

bool GcmVaesSupported() noexcept {
  const CpuFeatures& f = GetCpuFeatures();
  return f.avx2 && f.vaes && f.vpclmulqdq && f.aesni && f.pclmulqdq;
}

ESDK_VAES void GcmVaesInit(GcmVaesKey* key, const uint8_t* key_bytes, size_t key_size) noexcept {
  // FIPS 197 5.2 KeyExpansion, with words held little-endian so byte 0 of a
  // word is its low byte: RotWord is a right rotation by 8 and Rcon goes in
  // the low byte.
  const size_t nk = key_size / 4;
  key->rounds = static_cast<uint32_t>(nk + 6);
  const size_t words = 4 * (key->rounds + 1);
  uint32_t w[60];
  std::memcpy(w, key_bytes, key_size);
  uint32_t rcon = 1;
  for (size_t i = nk; i < words; ++i) {
    uint32_t t = w[i - 1];
    if (i % nk == 0) {
      t = SubWord((t >> 8) | (t << 24)) ^ rcon;
      rcon = ((rcon << 1) ^ ((rcon >> 7) * 0x11b)) & 0xff;
    } else if (nk > 6 && i % nk == 4) {
      t = SubWord(t);
    }
    w[i] = w[i - nk] ^ t;
  }
  std::memset(key->round_keys, 0, sizeof key->round_keys);
  for (uint32_t r = 0; r <= key->rounds; ++r) {
    const __m128i rk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&w[4 * r]));
    Store256(key->round_keys[r], _mm256_broadcastsi128_si256(rk));
  }
  OPENSSL_cleanse(w, sizeof w);

  // H = E_K(0^128), reflected, times x^-1: a left shift of the reflected
  // integer divides by x; the bit shifted out (H's x^0 coefficient) comes
  // back as x^-1 = x^127 + x^6 + x + 1, reflected 0xC2000...01.
  __m128i h = _mm_shuffle_epi8(EncryptBlock(*key, _mm_setzero_si128()), ReverseMask128());
  const __m128i carry = _mm_srli_epi64(h, 63);
  const __m128i top = _mm_shuffle_epi32(_mm_srai_epi32(h, 31), 0xFF);
  h = _mm_or_si128(_mm_slli_epi64(h, 1), _mm_slli_si128(carry, 8));
  h = _mm_xor_si128(h, _mm_and_si128(top, _mm_set_epi64x(static_cast<long long>(0xC200000000000000ULL), 1)));

  // powers[i] = H^(i+1)·x^-1.
  alignas(16) uint8_t powers[kChunkBlocks][kBlock];
  __m128i p = h;
  Store128(powers[0], p);
  for (size_t i = 1; i < kChunkBlocks; ++i) {
    p = GfMul(p, h);
    Store128(powers[i], p);
  }
  for (int j = 0; j < kPairs; ++j) {
    const __m256i pair =
        _mm256_set_m128i(Load128(powers[kChunkBlocks - 2 - 2 * j]), Load128(powers[kChunkBlocks - 1 - 2 * j]));
    Store256(key->h_powers[j], pair);
  }
  Store128(key->h1, h);
  OPENSSL_cleanse(powers, sizeof powers);
}

ESDK_VAES void GcmVaesSeal(const GcmVaesKey& key, const uint8_t* iv, const uint8_t* aad_a, size_t aad_a_size,
                           const uint8_t* aad_b, size_t aad_b_size, const uint8_t* in, size_t size, uint8_t* out,
                           uint8_t* tag) noexcept {
  const __m128i mask = TagMask(key, iv);
  __m128i x = GhashAad(key, aad_a, aad_a_size, aad_b, aad_b_size);
  __m256i ctr = CounterStart(iv);
  const size_t chunks = size / kChunkBytes;
  if (chunks > 0) {
    // Ciphertext is hashed one chunk behind the encryption that makes it.
    Chunk<false>(key, ctr, in, out, nullptr, x);
    for (size_t c = 1; c < chunks; ++c) {
      Chunk<true>(key, ctr, in + c * kChunkBytes, out + c * kChunkBytes, out + (c - 1) * kChunkBytes, x);
    }
    x = GhashPairs(key, x, out + (chunks - 1) * kChunkBytes, kPairs);
  }
  const size_t done = chunks * kChunkBytes;
  if (size > done) x = Tail(key, ctr, in + done, out + done, size - done, x, true);
  Finish(key, mask, x, static_cast<uint64_t>(aad_a_size) + aad_b_size, size, tag);
}

ESDK_VAES void GcmVaesOpen(const GcmVaesKey& key, const uint8_t* iv, const uint8_t* aad_a, size_t aad_a_size,
                           const uint8_t* aad_b, size_t aad_b_size, const uint8_t* in, size_t size, uint8_t* out,
                           uint8_t* expected_tag) noexcept {
  const __m128i mask = TagMask(key, iv);
  __m128i x = GhashAad(key, aad_a, aad_a_size, aad_b, aad_b_size);
  __m256i ctr = CounterStart(iv);
  const size_t chunks = size / kChunkBytes;
  for (size_t c = 0; c < chunks; ++c) {
    const uint8_t* src = in + c * kChunkBytes;
    Chunk<true>(key, ctr, src, out + c * kChunkBytes, src, x);
  }
  const size_t done = chunks * kChunkBytes;
  if (size > done) x = Tail(key, ctr, in + done, out + done, size - done, x, false);
  Finish(key, mask, x, static_cast<uint64_t>(aad_a_size) + aad_b_size, size, expected_tag);
}

#else  // !ESDK_GCM_VAES_BUILT

bool GcmVaesSupported() noexcept { return false; }
void GcmVaesInit(GcmVaesKey*, const uint8_t*, size_t) noexcept {}
void GcmVaesSeal(const GcmVaesKey&, const uint8_t*, const uint8_t*, size_t, const uint8_t*, size_t, const uint8_t*,
                 size_t, uint8_t*, uint8_t*) noexcept {}
void GcmVaesOpen(const GcmVaesKey&, const uint8_t*, const uint8_t*, size_t, const uint8_t*, size_t, const uint8_t*,
                 size_t, uint8_t*, uint8_t*) noexcept {}

#endif  // ESDK_GCM_VAES_BUILT

}  // namespace esdk
