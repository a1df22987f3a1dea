// Lookup table of the eleven algorithm suites; mirrors lib/core/suites.ts.
#include "suites.h"

namespace esdk {
namespace {

constexpr Suite kSuites[] = {
    {0x0014, 16, Kdf::kIdentity, false, 16, Curve::kNone},   {0x0046, 24, Kdf::kIdentity, false, 16, Curve::kNone},
    {0x0078, 32, Kdf::kIdentity, false, 16, Curve::kNone},   {0x0114, 16, Kdf::kHkdfSha256, false, 16, Curve::kNone},
    {0x0146, 24, Kdf::kHkdfSha256, false, 16, Curve::kNone}, {0x0178, 32, Kdf::kHkdfSha256, false, 16, Curve::kNone},
    {0x0214, 16, Kdf::kHkdfSha256, false, 16, Curve::kP256}, {0x0346, 24, Kdf::kHkdfSha384, false, 16, Curve::kP384},
    {0x0378, 32, Kdf::kHkdfSha384, false, 16, Curve::kP384}, {0x0478, 32, Kdf::kHkdfSha512, true, 32, Curve::kNone},
    {0x0578, 32, Kdf::kHkdfSha512, true, 32, Curve::kP384},
};

}  // namespace

const Suite* FindSuite(uint32_t id) noexcept {
  for (const Suite& suite : kSuites) {
    if (suite.id == id) return &suite;
  }
  return nullptr;
}

}  // namespace esdk
