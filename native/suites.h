// The eleven ESDK algorithm suites as the native layer needs them (framework/algorithm-suites.md).
#ifndef ESDK_NATIVE_SUITES_H_
#define ESDK_NATIVE_SUITES_H_

#include <cstddef>
#include <cstdint>

namespace esdk {

enum class Kdf : uint8_t { kIdentity, kHkdfSha256, kHkdfSha384, kHkdfSha512 };

// Signed suites sign with ECDSA over P-256/SHA-256 (0x0214) or P-384/SHA-384 (data-format/message-footer.md).
enum class Curve : uint8_t { kNone, kP256, kP384 };

struct Suite {
  uint16_t id;
  // Data key and derived encryption key length (16, 24 or 32).
  uint8_t key_length;
  Kdf kdf;
  // Committing suites (message format v2) derive a 32-byte commitment too.
  bool commitment;
  uint8_t message_id_length;
  Curve signature;
};

constexpr size_t kIvLength = 12;
constexpr size_t kTagLength = 16;
constexpr size_t kCommitmentLength = 32;
constexpr size_t kMaxMessageIdLength = 32;
// v1 header auth is IV ‖ tag, v2 the tag alone (data-format/message-header.md).
constexpr size_t kV1HeaderAuthLength = kIvLength + kTagLength;
constexpr size_t kV2HeaderAuthLength = kTagLength;

inline size_t HeaderAuthLength(const Suite& suite) noexcept {
  return suite.commitment ? kV2HeaderAuthLength : kV1HeaderAuthLength;
}

// nullptr for an id that is not one of the eleven.
const Suite* FindSuite(uint32_t id) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_SUITES_H_
