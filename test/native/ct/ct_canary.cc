// The harnesses' own check: a deliberately secret-dependent branch and table index, which the checker MUST report
// (scripts/ct.js fails if it does not).
#include "harness.h"

namespace {

const uint8_t kTable[256] = {1, 2, 3};

__attribute__((noinline)) int Other(int r) { return r * 3 + 1; }

// noinline: the compiler must not fold the marked value away. The call keeps the branch a branch
// (a conditional add could become a cmov, which is constant time and would rightly not be reported).
__attribute__((noinline)) int Leaky(const uint8_t* secret) {
  int r = kTable[secret[1]];        // a memory index from a secret
  if (secret[0] & 1) r = Other(r);  // a branch on a secret
  return r;
}

}  // namespace

int main() {
  uint8_t secret[2] = {3, 1};
  ct_harness::Bytes(1).Fill(secret, sizeof secret);
  esdk::ct::Secret(secret, sizeof secret);
  int r = Leaky(secret);
  esdk::ct::Declassify(&r, sizeof r);
  std::printf("ct-harness canary: %d\n", r > 0 ? 1 : 0);
  return 0;
}
