// Non-owning byte spans, big-endian stores and the scoped wipe every native secret goes through.
#ifndef ESDK_NATIVE_BYTES_H_
#define ESDK_NATIVE_BYTES_H_

#include <openssl/crypto.h>

#include <cstddef>
#include <cstdint>

namespace esdk {

// A window into caller memory (already adjusted for the TypedArray's
// byteOffset by the binding layer). `data` is never null, even when empty,
// so it can be handed to memcpy and OpenSSL without special cases.
struct ByteView {
  const uint8_t* data;
  size_t size;
};

struct MutableByteView {
  uint8_t* data;
  size_t size;
};

inline bool Overlaps(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size) noexcept {
  if (a_size == 0 || b_size == 0) return false;
  const uintptr_t pa = reinterpret_cast<uintptr_t>(a);
  const uintptr_t pb = reinterpret_cast<uintptr_t>(b);
  return pa < pb + b_size && pb < pa + a_size;
}

inline void StoreBe32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

inline void StoreBe64(uint8_t* p, uint64_t v) noexcept {
  StoreBe32(p, static_cast<uint32_t>(v >> 32));
  StoreBe32(p + 4, static_cast<uint32_t>(v));
}

// Cleanses a region when the scope ends, on success and failure alike, so a
// secret on the native stack has exactly one wipe however the function exits.
class ScopedCleanse {
 public:
  ScopedCleanse(void* data, size_t size) noexcept : data_(data), size_(size) {}
  ~ScopedCleanse() { OPENSSL_cleanse(data_, size_); }
  ScopedCleanse(const ScopedCleanse&) = delete;
  ScopedCleanse& operator=(const ScopedCleanse&) = delete;

 private:
  void* data_;
  size_t size_;
};

// Cleanses an output region when the scope ends unless Release() was called:
// every output is zeroed on any failure path.
class WipeUnlessReleased {
 public:
  WipeUnlessReleased(uint8_t* data, size_t size) noexcept : data_(data), size_(size) {}
  ~WipeUnlessReleased() {
    if (data_ != nullptr) OPENSSL_cleanse(data_, size_);
  }
  void Release() noexcept { data_ = nullptr; }
  WipeUnlessReleased(const WipeUnlessReleased&) = delete;
  WipeUnlessReleased& operator=(const WipeUnlessReleased&) = delete;

 private:
  uint8_t* data_;
  size_t size_;
};

}  // namespace esdk

#endif  // ESDK_NATIVE_BYTES_H_
