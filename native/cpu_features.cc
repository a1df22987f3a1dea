// Detects CPU crypto extensions via cpuid/xgetbv (x86) or the kernel's HWCAP / sysctl (arm64).
#include "cpu_features.h"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#elif defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

namespace esdk {
namespace {

#if defined(__x86_64__) || defined(__i386__)

// Bit positions from the Intel SDM, spelled out because older <cpuid.h>
// versions lack bit_VAES / bit_VPCLMULQDQ.
constexpr uint32_t kLeaf1EcxPclmulqdq = 1u << 1;
constexpr uint32_t kLeaf1EcxAes = 1u << 25;
constexpr uint32_t kLeaf1EcxOsxsave = 1u << 27;
constexpr uint32_t kLeaf1EcxAvx = 1u << 28;
constexpr uint32_t kLeaf7EbxAvx2 = 1u << 5;
constexpr uint32_t kLeaf7EbxAvx512f = 1u << 16;
constexpr uint32_t kLeaf7EcxVaes = 1u << 9;
constexpr uint32_t kLeaf7EcxVpclmulqdq = 1u << 10;

// XCR0 state components: SSE|AVX for 256-bit registers, plus
// opmask|ZMM_Hi256|Hi16_ZMM for AVX-512.
constexpr uint64_t kXcr0Ymm = 0x06;
constexpr uint64_t kXcr0Zmm = 0xE6;

uint64_t ReadXcr0() noexcept {
  // Inline asm rather than _xgetbv(), which needs -mxsave on the whole TU.
  uint32_t eax = 0;
  uint32_t edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures Detect() noexcept {
  CpuFeatures f{};
  f.family = CpuFamily::kX86;
#if defined(__x86_64__)
  f.arch = "x64";
#else
  f.arch = "ia32";
#endif

  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) {
    return f;
  }
  f.aesni = (ecx & kLeaf1EcxAes) != 0;
  f.pclmulqdq = (ecx & kLeaf1EcxPclmulqdq) != 0;

  // xgetbv is an illegal instruction unless OSXSAVE is set.
  const uint64_t xcr0 = (ecx & kLeaf1EcxOsxsave) != 0 ? ReadXcr0() : 0;
  const bool ymm_ok = (ecx & kLeaf1EcxAvx) != 0 && (xcr0 & kXcr0Ymm) == kXcr0Ymm;
  const bool zmm_ok = ymm_ok && (xcr0 & kXcr0Zmm) == kXcr0Zmm;

  // __get_cpuid_count returns 0 when leaf 7 is beyond the max leaf.
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) != 0) {
    f.avx2 = ymm_ok && (ebx & kLeaf7EbxAvx2) != 0;
    f.avx512f = zmm_ok && (ebx & kLeaf7EbxAvx512f) != 0;
    // The VEX (256-bit) forms are what we would use; they need YMM state only.
    f.vaes = ymm_ok && (ecx & kLeaf7EcxVaes) != 0;
    f.vpclmulqdq = ymm_ok && (ecx & kLeaf7EcxVpclmulqdq) != 0;
  }
  return f;
}

#elif defined(__aarch64__)

#if defined(__APPLE__)
bool SysctlFlag(const char* name) noexcept {
  int value = 0;
  size_t size = sizeof(value);
  if (sysctlbyname(name, &value, &size, nullptr, 0) != 0) {
    // macOS < 12 lacks the FEAT_* keys, but every Apple arm64 core
    // implements AES, PMULL and SHA-256.
    return true;
  }
  return value != 0;
}
#endif

CpuFeatures Detect() noexcept {
  CpuFeatures f{};
  f.family = CpuFamily::kArm64;
  f.arch = "arm64";
#if defined(__linux__)
  // The kernel only advertises what it lets user space execute, so HWCAP is
  // authoritative where reading ID_AA64ISAR0_EL1 directly would not be.
  const unsigned long hwcap = getauxval(AT_HWCAP);
  f.aes = (hwcap & HWCAP_AES) != 0;
  f.pmull = (hwcap & HWCAP_PMULL) != 0;
  f.sha2 = (hwcap & HWCAP_SHA2) != 0;
#elif defined(__APPLE__)
  f.aes = SysctlFlag("hw.optional.arm.FEAT_AES");
  f.pmull = SysctlFlag("hw.optional.arm.FEAT_PMULL");
  f.sha2 = SysctlFlag("hw.optional.arm.FEAT_SHA256");
#endif
  return f;
}

#else

CpuFeatures Detect() noexcept {
  CpuFeatures f{};
  f.family = CpuFamily::kOther;
  f.arch = "unknown";
  return f;
}

#endif

}  // namespace

const CpuFeatures& GetCpuFeatures() noexcept {
  static const CpuFeatures features = Detect();
  return features;
}

}  // namespace esdk
