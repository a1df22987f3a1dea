// Transparent-huge-page advice for large output buffers (Linux madvise; nothing elsewhere).
#include "huge_pages.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace esdk {

void AdviseHugePages(MutableByteView buffer) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (buffer.size < kMinHugePageAdviceBytes) return;
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  const uintptr_t start = reinterpret_cast<uintptr_t>(buffer.data);
  const uintptr_t first = (start + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t last = (start + buffer.size) & ~(kHugePage - 1);
  // Only whole huge pages inside the buffer: the advice never reaches memory we do not own.
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)buffer;
#endif
}

}  // namespace esdk
