// Declares the one-time CPU crypto-extension probe the accelerated code paths dispatch on.
#ifndef ESDK_NATIVE_CPU_FEATURES_H_
#define ESDK_NATIVE_CPU_FEATURES_H_

namespace esdk {

enum class CpuFamily { kX86, kArm64, kOther };

struct CpuFeatures {
  CpuFamily family;
  // Spelled like Node's process.arch so JS can compare without a mapping table.
  const char* arch;
  // x86 / x86_64. AVX-class bits are only set when the OS also saves the
  // wider register state, because executing them otherwise faults.
  bool aesni;
  bool pclmulqdq;
  bool avx2;
  bool vaes;
  bool vpclmulqdq;
  bool avx512f;
  // arm64.
  bool aes;
  bool pmull;
  bool sha2;
};

// Probed once and cached: cpuid/xgetbv trap in some hypervisors, and the
// answer cannot change for the life of the process.
const CpuFeatures& GetCpuFeatures() noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_CPU_FEATURES_H_
