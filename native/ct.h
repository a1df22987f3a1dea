// Constant-time validation hooks: mark bytes secret or public for valgrind memcheck / MemorySanitizer; no-ops in the
// addon.
//
// The constant-time harnesses (test/native/ct, `npm run ct`) build the core sources with
// ESDK_CT_VALGRIND (run under valgrind --tool=memcheck) or with -fsanitize=memory. There a secret
// is marked "uninitialised", and the checker reports every conditional jump or memory index that
// depends on it. Our code marks what it knows is secret when it receives it from elsewhere
// (the DRBG, OpenSSL's RSA decryption), and declassifies a value at the one place where it
// becomes public by design (a public key, the r of a signature, a rejected random draw), so that
// everything between those two points is checked. In every other build both are empty inlines.
#ifndef ESDK_NATIVE_CT_H_
#define ESDK_NATIVE_CT_H_

#include <cstddef>

#if defined(ESDK_CT_VALGRIND)
#include <valgrind/memcheck.h>
#elif defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define ESDK_CT_MSAN 1
#endif
#endif

namespace esdk {
namespace ct {

// From here on the bytes are secret: any branch or address computed from them is reported.
inline void Secret(const void* p, size_t n) noexcept {
#if defined(ESDK_CT_VALGRIND)
  (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#elif defined(ESDK_CT_MSAN)
  __msan_poison(p, n);
#else
  (void)p;
  (void)n;
#endif
}

// The bytes are public from here on (the caller says why at the call site).
inline void Declassify(const void* p, size_t n) noexcept {
#if defined(ESDK_CT_VALGRIND)
  (void)VALGRIND_MAKE_MEM_DEFINED(p, n);
#elif defined(ESDK_CT_MSAN)
  __msan_unpoison(p, n);
#else
  (void)p;
  (void)n;
#endif
}

// A declassified copy of a value, for a branch on a result that is public by design.
template <typename T>
inline T Public(T v) noexcept {
  Declassify(&v, sizeof v);
  return v;
}

}  // namespace ct
}  // namespace esdk

#endif  // ESDK_NATIVE_CT_H_
