// The running SHA-256/384 a signed message's signature covers (header, then body), over the once-fetched EVP_MD.
#ifndef ESDK_NATIVE_DIGEST_H_
#define ESDK_NATIVE_DIGEST_H_

#include <openssl/evp.h>

#include "bytes.h"
#include "suites.h"

namespace esdk {

class MessageDigest {
 public:
  MessageDigest() noexcept;
  ~MessageDigest();
  MessageDigest(const MessageDigest&) = delete;
  MessageDigest& operator=(const MessageDigest&) = delete;

  // SHA-256 for P-256 suites, SHA-384 for P-384 ones (data-format/message-footer.md).
  bool Init(Curve curve) noexcept;
  bool Update(const uint8_t* data, size_t size) noexcept;
  // Writes the digest; `out` must be exactly its size.
  bool Final(MutableByteView out) noexcept;

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace esdk

#endif  // ESDK_NATIVE_DIGEST_H_
