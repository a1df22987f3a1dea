// Test-only N-API wrappers over GcmKey with an explicit implementation choice; no crypto logic lives here.
#include "gcm_test_bindings.h"

#include "algorithms.h"
#include "error_mark.h"
#include "gcm.h"
#include "js_args.h"
#include "suites.h"

namespace esdk {
namespace {

struct Request {
  GcmKey::Impl impl;
  const EVP_CIPHER* cipher;
  ByteView key;
  ByteView iv;
  ByteView aad_a;
  ByteView aad_b;
  ByteView input;
  MutableByteView out;
  MutableByteView tag;
};

// Reads and checks the shared arguments; false (with the failure recorded in args) when unusable.
bool ReadRequest(JsArgs& args, Request* r) noexcept {
  const uint64_t impl = args.IntegerAt(0, "impl", 2);
  r->key = args.BytesAt(1, "key");
  r->iv = args.BytesAt(2, "iv");
  r->aad_a = args.BytesAt(3, "aadA");
  r->aad_b = args.BytesAt(4, "aadB");
  r->input = args.BytesAt(5, "input");
  r->out = args.MutableBytesAt(6, "out");
  r->tag = args.MutableBytesAt(7, "tag");
  if (!args.ok()) return false;
  r->impl = impl == 0 ? GcmKey::DefaultImpl() : static_cast<GcmKey::Impl>(impl);
  r->cipher = GcmCipherForKeyLength(r->key.size);
  Status status = Status::kOk;
  if (r->cipher == nullptr) {
    status = Status::kBadKeyLength;
  } else if (r->iv.size != kIvLength) {
    status = Status::kBadIvLength;
  } else if (r->out.size != r->input.size || r->tag.size != kTagLength) {
    status = Status::kBadOutputLength;
  } else if ((r->out.data != r->input.data && Overlaps(r->out.data, r->out.size, r->input.data, r->input.size)) ||
             Overlaps(r->tag.data, r->tag.size, r->out.data, r->out.size)) {
    status = Status::kOverlap;
  }
  if (status != Status::kOk) args.Fail(status, "gcmTest");
  return args.ok();
}

}  // namespace

Napi::Value GcmImplementationBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  // Keyed through GcmKey::Init, the very call frames make, so a dispatch bug
  // there shows here (not just what DefaultImpl would suggest).
  const uint8_t key[32] = {0};
  GcmKey gcm;
  const char* name = "none";
  if (gcm.Init(GcmCipherForKeyLength(sizeof key), ByteView{key, sizeof key}, true) == Status::kOk) {
    name = gcm.impl() == GcmKey::Impl::kVaes ? "vaes" : "evp";
  }
  return Napi::String::New(info.Env(), name);
}

Napi::Value GcmTestSealBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  Request r;
  if (!ReadRequest(args, &r)) return args.Throw();
  GcmKey gcm;
  Status status = gcm.InitWith(r.impl, r.cipher, r.key, true);
  if (status == Status::kOk) {
    status = gcm.Seal(r.iv.data, r.aad_a, r.aad_b, r.input.data, r.input.size, r.out.data, r.tag.data);
  }
  if (status != Status::kOk) {
    args.Fail(status, "gcmTestSeal");
    return args.Throw();
  }
  return info.Env().Undefined();
}

Napi::Value GcmTestOpenBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  Request r;
  if (!ReadRequest(args, &r)) return args.Throw();
  WipeUnlessReleased wipe(r.out.data, r.out.size);
  GcmKey gcm;
  Status status = gcm.InitWith(r.impl, r.cipher, r.key, false);
  if (status == Status::kOk) {
    status = gcm.Open(r.iv.data, r.aad_a, r.aad_b, r.input.data, r.input.size, r.out.data, r.tag.data);
  }
  if (status == Status::kOk) wipe.Release();
  if (status == Status::kOk || status == Status::kAuthenticationFailed) {
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  }
  args.Fail(status, "gcmTestOpen");
  return args.Throw();
}

}  // namespace esdk
