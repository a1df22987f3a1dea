// Raw AES keyring wrap/unwrap over GcmKey: one keyed context per call, outputs wiped on failure.
#include "key_wrap.h"

#include "algorithms.h"
#include "gcm.h"
#include "suites.h"

namespace esdk {
namespace {

constexpr uint8_t kEmpty[1] = {0};

Status Check(ByteView key, ByteView iv, ByteView in, MutableByteView out) noexcept {
  if (GcmCipherForKeyLength(key.size) == nullptr) return Status::kBadKeyLength;
  if (iv.size != kIvLength) return Status::kBadIvLength;
  if (Overlaps(out.data, out.size, in.data, in.size) || Overlaps(out.data, out.size, key.data, key.size)) {
    return Status::kOverlap;
  }
  return Status::kOk;
}

}  // namespace

Status KeyWrapSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext, MutableByteView out) noexcept {
  if (out.size != plaintext.size + kTagLength) return Status::kBadOutputLength;
  Status status = Check(key, iv, plaintext, out);
  if (status != Status::kOk) return status;
  WipeUnlessReleased wipe(out.data, out.size);
  GcmKey gcm;
  status = gcm.Init(GcmCipherForKeyLength(key.size), key, true);
  if (status == Status::kOk) {
    status = gcm.Seal(iv.data, aad, ByteView{kEmpty, 0}, plaintext.data, plaintext.size, out.data,
                      out.data + plaintext.size);
  }
  if (status == Status::kOk) wipe.Release();
  return status;
}

Status KeyWrapOpen(ByteView key, ByteView iv, ByteView aad, ByteView sealed, MutableByteView out) noexcept {
  if (sealed.size < kTagLength || out.size != sealed.size - kTagLength) return Status::kBadOutputLength;
  Status status = Check(key, iv, sealed, out);
  if (status != Status::kOk) return status;
  WipeUnlessReleased wipe(out.data, out.size);
  GcmKey gcm;
  status = gcm.Init(GcmCipherForKeyLength(key.size), key, false);
  if (status == Status::kOk) {
    status = gcm.Open(iv.data, aad, ByteView{kEmpty, 0}, sealed.data, out.size, out.data, sealed.data + out.size);
  }
  if (status == Status::kOk) wipe.Release();
  return status;
}

}  // namespace esdk
