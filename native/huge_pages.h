// Asks the kernel for transparent huge pages on a large output buffer before the body is written into it.
#ifndef ESDK_NATIVE_HUGE_PAGES_H_
#define ESDK_NATIVE_HUGE_PAGES_H_

#include "bytes.h"

namespace esdk {

// A large message's output is usually fresh memory, and the kernel faults it in and zeroes it
// 4 KiB at a time as the frames are written: thousands of faults per 16 MiB, which cost as much
// as the AES-GCM itself. Advising the 2 MiB-aligned interior as huge-page memory lets each fault
// bring in 2 MiB. Only a hint: a no-op off Linux, below kMinHugePageAdviceBytes, where the
// kernel ignores it (THP "never"), or on any error. The contents are not touched.
constexpr size_t kMinHugePageAdviceBytes = size_t{4} << 20;
void AdviseHugePages(MutableByteView buffer) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_HUGE_PAGES_H_
