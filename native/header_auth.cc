// Computes and checks the header authentication tag with the once-fetched AES-GCM cipher.
#include "header_auth.h"

#include <openssl/crypto.h>

#include "algorithms.h"
#include "gcm.h"

namespace esdk {

Status HeaderAuthTag(const Suite& suite, ByteView key, ByteView iv, ByteView header_body, ByteView extra_aad,
                     MutableByteView out_tag) noexcept {
  if (key.size != suite.key_length) return Status::kBadKeyLength;
  if (iv.size != kIvLength) return Status::kBadIvLength;
  if (out_tag.size != kTagLength) return Status::kBadOutputLength;
  WipeUnlessReleased wipe_tag(out_tag.data, out_tag.size);
  GcmKey gcm;
  Status status = gcm.Init(GcmCipherFor(suite), key, true);
  if (status == Status::kOk) status = gcm.Seal(iv.data, header_body, extra_aad, nullptr, 0, nullptr, out_tag.data);
  if (status == Status::kOk) wipe_tag.Release();
  return status;
}

Status VerifyHeaderAuth(const Suite& suite, ByteView key, ByteView iv, ByteView header_body, ByteView extra_aad,
                        ByteView tag) noexcept {
  if (key.size != suite.key_length) return Status::kBadKeyLength;
  if (iv.size != kIvLength) return Status::kBadIvLength;
  if (tag.size != kTagLength) return Status::kAuthenticationFailed;
  uint8_t expected[kTagLength];
  ScopedCleanse wipe_expected(expected, sizeof(expected));
  const Status status =
      HeaderAuthTag(suite, key, iv, header_body, extra_aad, MutableByteView{expected, sizeof(expected)});
  if (status != Status::kOk) return status;
  return CRYPTO_memcmp(expected, tag.data, kTagLength) == 0 ? Status::kOk : Status::kAuthenticationFailed;
}

}  // namespace esdk
