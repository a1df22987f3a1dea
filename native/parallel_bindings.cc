// The whole-message thread-pool entry points: argument reading and the JS-thread header step, then a BodyJob on the
// pool.
#include "parallel_bindings.h"

#include <openssl/crypto.h>

#include <new>

#include "body_job.h"
#include "body_workers.h"
#include "error_mark.h"
#include "huge_pages.h"
#include "js_args.h"
#include "message.h"
#include "message_bindings.h"

namespace esdk {

Napi::Value SealMessageAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = SealAsyncArg;
  SealMessageRequest request = ReadSealMessageArgs(args);
  const uint64_t threads = args.IntegerAt(At(A::kThreads), kMaxJobThreads);
  const uint64_t chunk_bytes = args.IntegerAt(At(A::kChunkBytes), kMaxJobChunkBytes);
  Napi::Function callback = args.FunctionAt(At(A::kCallback));
  if (args.ok() && (threads == 0 || chunk_bytes < kMinJobChunkBytes))
    args.Fail(Status::kNotSafeInteger, "threads/chunkBytes");
  if (!args.ok()) return args.Throw();

  SealPlan plan{};
  args.Fail(PlanSeal(request, &plan), "sealMessageAsync");
  if (!args.ok()) return args.Throw();
  AdviseHugePages(request.out);
  uint8_t key[kMaxKeyLength];
  ScopedCleanse wipe_key(key, sizeof(key));
  const ByteView key_view{key, request.suite->key_length};
  Status status = Status::kOk;
  {
    GcmKey gcm;
    status = SealHeader(request, MutableByteView{key, key_view.size}, gcm);
  }
  const bool signs = request.signing_key != nullptr;
  const SealWork run{request.suite,
                     key_view,
                     request.message_id,
                     plan.layout,
                     request.plaintext.data,
                     request.out.data + plan.body_offset,
                     signs,
                     nullptr,
                     ByteView{request.out.data, plan.body_offset},
                     request.signing_key,
                     FooterRoom(request, plan),
                     request.out,
                     plan.unsigned_length};
  BodyJobLaunch launch(info.Env(), status == Status::kOk ? BodyJob::ForSeal(run, chunk_bytes) : nullptr, true,
                       "sealMessageAsync", nullptr);
  // out, plaintext and the signing key are used on the pool; the header-only inputs are done with.
  const bool ready =
      launch.ok() && launch.Pin(args.ValueAt(At(A::kOut))) && launch.Pin(args.ValueAt(At(A::kPlaintext))) &&
      (!signs || launch.Pin(args.ValueAt(At(A::kSigningKey)))) && launch.Launch(info.Env(), threads, callback);
  if (!ready) {
    OPENSSL_cleanse(request.out.data, request.out.size);
    args.Fail(status != Status::kOk ? status : Status::kOpenSslFailure, "sealMessageAsync");
    return args.Throw();
  }
  return info.Env().Undefined();
}

Napi::Value OpenMessageAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = OpenAsyncArg;
  OpenMessageRequest request = ReadOpenMessageArgs(args);
  const ByteView point = args.BytesAt(At(A::kPoint));
  const ByteView signed_bytes = args.BytesAt(At(A::kSigned));
  const ByteView signature = args.BytesAt(At(A::kSignature));
  const uint64_t threads = args.IntegerAt(At(A::kThreads), kMaxJobThreads);
  const uint64_t chunk_bytes = args.IntegerAt(At(A::kChunkBytes), kMaxJobChunkBytes);
  Napi::Function callback = args.FunctionAt(At(A::kCallback));
  if (args.ok() && (threads == 0 || chunk_bytes < kMinJobChunkBytes))
    args.Fail(Status::kNotSafeInteger, "threads/chunkBytes");
  if (!args.ok()) return args.Throw();

  args.Fail(PlanOpen(request), "openMessageAsync");
  if (!args.ok()) return args.Throw();
  AdviseHugePages(request.out);
  uint8_t key[kMaxKeyLength];
  ScopedCleanse wipe_key(key, sizeof(key));
  const ByteView key_view{key, request.suite->key_length};
  Status status = Status::kOk;
  {
    GcmKey gcm;
    status = OpenHeader(request, MutableByteView{key, key_view.size}, gcm);
  }
  if (status == Status::kAuthenticationFailed) {
    OPENSSL_cleanse(request.out.data, request.out.size);
    return Napi::Boolean::New(info.Env(), false);
  }
  const bool verify = request.suite->signature != Curve::kNone;
  const OpenWork run{request.suite,
                     key_view,
                     request.message_id,
                     request.source,
                     request.table,
                     request.frame_count,
                     request.out,
                     verify ? OpenWork::Signature::kVerify : OpenWork::Signature::kNone,
                     point,
                     signed_bytes,
                     signature,
                     nullptr};
  BodyJobLaunch launch(info.Env(), status == Status::kOk ? BodyJob::ForOpen(run, chunk_bytes) : nullptr, false,
                       "openMessageAsync", nullptr);
  const auto pin = [&](A slot) { return launch.Pin(args.ValueAt(At(slot))); };
  const bool ready = launch.ok() && pin(A::kSource) && pin(A::kFrameTable) && pin(A::kOut) &&
                     (!verify || (pin(A::kPoint) && pin(A::kSigned) && pin(A::kSignature))) &&
                     launch.Launch(info.Env(), threads, callback);
  if (!ready) {
    OPENSSL_cleanse(request.out.data, request.out.size);
    args.Fail(status != Status::kOk ? status : Status::kOpenSslFailure, "openMessageAsync");
    return args.Throw();
  }
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace esdk
