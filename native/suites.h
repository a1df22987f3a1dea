// The eleven ESDK algorithm suites as the native layer needs them (framework/algorithm-suites.md).
#ifndef ESDK_NATIVE_SUITES_H_
#define ESDK_NATIVE_SUITES_H_

#include <cstddef>
#include <cstdint>

namespace esdk {

enum class Kdf : uint8_t { kIdentity, kHkdfSha256, kHkdfSha384, kHkdfSha512 };

struct Suite {
  uint16_t id;
  // Data key and derived encryption key length (16, 24 or 32).
  uint8_t key_length;
  Kdf kdf;
  // Committing suites (message format v2) derive a 32-byte commitment too.
  bool commitment;
  uint8_t message_id_length;
};

constexpr size_t kIvLength = 12;
constexpr size_t kTagLength = 16;
constexpr size_t kCommitmentLength = 32;
constexpr size_t kMaxMessageIdLength = 32;

// nullptr for an id that is not one of the eleven.
const Suite* FindSuite(uint32_t id) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_SUITES_H_
