// Constant-time harness for native/gcm_vaes.cc (key setup, seal, open), built with MemorySanitizer: valgrind cannot
// execute VAES.
//
// Valgrind 3.19 (Debian 12) stops on the first 256-bit VAES instruction with SIGILL, so this
// harness uses the other checker with the same model: clang's MemorySanitizer tracks
// "uninitialised" bits through every instruction, and with poisoned secrets it reports a branch
// on them or a memory access at an address computed from them (as memcheck does). The secrets:
// the AES key (so the round keys and GHASH powers derived from it), the plaintext on seal, the
// recovered plaintext and the expected tag on open. Ciphertext, tag, IV and AAD are public and
// are unpoisoned where they become so. Each seal is opened again and compared, so a harness that
// computed nothing would fail.
#include <openssl/crypto.h>

#include <sanitizer/msan_interface.h>

#include <initializer_list>

#include "../../../native/gcm_vaes.h"
#include "harness.h"

using namespace esdk;
using ct_harness::Bytes;

// The addon takes OPENSSL_cleanse from Node's libcrypto; this harness links no OpenSSL (an
// uninstrumented library would confuse MemorySanitizer), so it brings a wipe of its own.
// True when every byte is still marked (poisoned): the secret reached it through AES and GHASH,
// so the checker was tracking it all the way (an unmarked input would make the run vacuous).
bool Tainted(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (__msan_test_shadow(p + i, 1) != 0) return false;
  }
  return true;
}

extern "C" void OPENSSL_cleanse(void* p, size_t n) {
  volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < n; i++) v[i] = 0;
}

int main() {
  if (!GcmVaesSupported()) {
    std::printf("ct-harness gcm: SKIPPED (this CPU has no VAES + VPCLMULQDQ)\n");
    return 77;
  }
  Bytes rng(0x6c);
  unsigned long calls = 0;
  // Sizes around the block (16), the pair (32) and the 16-block chunk (256) boundaries.
  const size_t kSizes[] = {0, 1, 15, 16, 17, 31, 32, 255, 256, 257, 511, 512, 1000, 4109};
  const size_t kAad[] = {0, 5, 16, 33};
  static uint8_t plain[4109], copy[4109], ctext[4109], back[4109];
  for (size_t key_size : {16, 24, 32}) {
    for (size_t si = 0; si < sizeof kSizes / sizeof kSizes[0]; si++) {
      const size_t size = kSizes[si];
      const size_t aad_size = kAad[si % 4];
      uint8_t key_bytes[32], iv[12], aad[33], tag[16], expected[16];
      rng.Fill(key_bytes, key_size);
      rng.Fill(iv, sizeof iv);
      rng.Fill(aad, aad_size);
      rng.Fill(plain, size);
      std::memcpy(copy, plain, size);

      GcmVaesKey key;
      ct::Secret(key_bytes, key_size);
      GcmVaesInit(&key, key_bytes, key_size);
      calls++;
      CT_CHECK(Tainted(key.round_keys[0], 16 * (key_size / 4 + 7)) && Tainted(key.h1, sizeof key.h1));
      ct::Secret(plain, size);
      // The AAD split in two, as the SDK passes header ‖ frame AAD.
      const size_t split = aad_size / 2;
      GcmVaesSeal(key, iv, aad, split, aad + split, aad_size - split, plain, size, ctext, tag);
      calls++;
      CT_CHECK(Tainted(ctext, size) && Tainted(tag, sizeof tag));
      ct::Declassify(ctext, size);  // the ciphertext and tag are what a message carries: public
      ct::Declassify(tag, sizeof tag);

      GcmVaesOpen(key, iv, aad, split, aad + split, aad_size - split, ctext, size, back, expected);
      calls++;
      CT_CHECK(Tainted(back, size) && Tainted(expected, sizeof expected));
      // The SDK compares the expected tag with CRYPTO_memcmp (constant time) and only the match
      // bit is public; the recovered plaintext is released only after it. Declassified for the check.
      ct::Declassify(expected, sizeof expected);
      ct::Declassify(back, size);
      CT_CHECK(ct_harness::Same(expected, tag, sizeof tag));
      CT_CHECK(ct_harness::Same(back, copy, size));
      if (size >= 16) CT_CHECK(!ct_harness::Same(ctext, copy, size));

      // A tampered ciphertext decrypts (unauthenticated) to another expected tag.
      if (size > 0) {
        ctext[size / 2] ^= 0x01;
        GcmVaesOpen(key, iv, aad, split, aad + split, aad_size - split, ctext, size, back, expected);
        calls++;
        ct::Declassify(expected, sizeof expected);
        CT_CHECK(!ct_harness::Same(expected, tag, sizeof tag));
      }
      OPENSSL_cleanse(&key, sizeof key);
    }
  }
  ct_harness::Done("gcm", calls);
  return 0;
}
