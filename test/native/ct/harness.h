// Shared bits of the constant-time harnesses: secret/public marking (native/ct.h), checks that abort, a deterministic
// byte source.
#ifndef ESDK_TEST_NATIVE_CT_HARNESS_H_
#define ESDK_TEST_NATIVE_CT_HARNESS_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../../../native/ct.h"

namespace ct_harness {

// A failed functional check is a harness bug or a wrong result: stop with the line, exit 2
// (distinct from valgrind's --error-exitcode).
#define CT_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::exit(2);                                                                 \
    }                                                                               \
  } while (0)

// xorshift64*: reproducible test inputs (the secrets' values do not matter to the checker, only
// that they are marked; fixed values keep a failing run repeatable).
class Bytes {
 public:
  explicit Bytes(uint64_t seed) : s_(seed | 1) {}
  void Fill(uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; i++) {
      s_ ^= s_ >> 12;
      s_ ^= s_ << 25;
      s_ ^= s_ >> 27;
      p[i] = static_cast<uint8_t>((s_ * 0x2545F4914F6CDD1DULL) >> 56);
    }
  }

 private:
  uint64_t s_;
};

// Byte compare of public (declassified) buffers.
inline bool Same(const void* a, const void* b, size_t n) { return std::memcmp(a, b, n) == 0; }

// Every harness ends with this line; scripts/ct.js reads the count.
inline void Done(const char* name, unsigned long calls) { std::printf("ct-harness %s: %lu calls\n", name, calls); }

}  // namespace ct_harness

#endif  // ESDK_TEST_NATIVE_CT_HARNESS_H_
