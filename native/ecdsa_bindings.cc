// N-API wrappers for ECDSA: key generation and verification as thread-pool AsyncWorkers, the rest synchronous.
#include "ecdsa_bindings.h"

#include <cstring>
#include <new>

#include "ec_keys.h"
#include "error_mark.h"
#include "js_args.h"
#include "message.h"
#include "pins.h"
#include "signing_key_handle.h"
#include "signing_key_stock.h"

namespace esdk {
namespace {

// Bounded so a batch never holds a pool thread for long (a P-384 key costs two scalar
// multiplications, ~2.5 ms here) and the array below needs no allocation.
constexpr size_t kMaxKeysPerBatch = 32;

void CallBack(const Napi::Function& callback, Napi::Env env, Status status, const char* what, napi_value result) {
  if (status != Status::kOk) {
    napi_value error = StatusError(env, status, what);
    callback.Call({error != nullptr ? Napi::Value(env, error) : env.Undefined()});
    return;
  }
  callback.Call({env.Null(), Napi::Value(env, result)});
}

class KeygenWorker : public Napi::AsyncWorker {
 public:
  KeygenWorker(const Napi::Function& callback, Curve curve, size_t count) noexcept
      : Napi::AsyncWorker(callback, "esdk:generateSigningKeys"), curve_(curve), count_(count) {}
  ~KeygenWorker() override {
    for (SigningKey* key : keys_) FreeSigningKey(key);
  }

  void Execute() override {
    ErrorMark mark;
    for (size_t i = 0; i < count_; ++i) {
      status_ = GenerateSigningKey(curve_, &keys_[i]);
      if (status_ != Status::kOk) return;
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (status_ != Status::kOk) return CallBack(Callback().Value(), env, status_, "generateSigningKeys", nullptr);
    Napi::Array handles = Napi::Array::New(env, count_);
    for (size_t i = 0; i < count_; ++i) {
      SigningKey* key = keys_[i];
      keys_[i] = nullptr;
      Napi::Value handle = WrapSigningKey(env, key);
      if (handle.IsEmpty())
        return CallBack(Callback().Value(), env, Status::kOpenSslFailure, "generateSigningKeys", nullptr);
      handles.Set(static_cast<uint32_t>(i), handle);
    }
    CallBack(Callback().Value(), env, Status::kOk, "", handles);
  }

 private:
  const Curve curve_;
  const size_t count_;
  SigningKey* keys_[kMaxKeysPerBatch] = {};
  Status status_ = Status::kOk;
};

class VerifyWorker : public Napi::AsyncWorker {
 public:
  VerifyWorker(const Napi::Function& callback, Curve curve, ByteView point, ByteView signed_bytes,
               ByteView signature) noexcept
      : Napi::AsyncWorker(callback, "esdk:verifyMessage"),
        pins_(callback.Env()),
        curve_(curve),
        point_(point),
        signed_(signed_bytes),
        signature_(signature) {}

  Pins& pins() noexcept { return pins_; }

  void Execute() override {
    ErrorMark mark;
    status_ = VerifyMessageSignature(curve_, point_, signed_, signature_);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    // Only a hard failure is an error: a signature that does not verify is `false`.
    if (status_ != Status::kOk && status_ != Status::kAuthenticationFailed) {
      return CallBack(Callback().Value(), env, status_, "verifyMessageAsync", nullptr);
    }
    CallBack(Callback().Value(), env, Status::kOk, "", Napi::Boolean::New(env, status_ == Status::kOk));
  }

 private:
  Pins pins_;
  const Curve curve_;
  const ByteView point_;
  const ByteView signed_;
  const ByteView signature_;
  Status status_ = Status::kOk;
};

const Suite* SignedSuiteAt(JsArgs& args, size_t index) noexcept {
  const Suite* suite = args.SuiteAt(index, "suiteId");
  if (args.ok() && suite->signature == Curve::kNone) args.Fail(Status::kUnknownSuite, "suiteId (not a signed suite)");
  return suite;
}

}  // namespace

Napi::Value GenerateSigningKeysBinding(const Napi::CallbackInfo& info) {
  JsArgs args(info);
  const Curve curve = args.CurveAt(0, "curveBits");
  const uint64_t count = args.IntegerAt(1, "count", kMaxKeysPerBatch);
  Napi::Function callback = args.FunctionAt(2, "callback");
  if (args.ok() && count == 0) args.Fail(Status::kNotSafeInteger, "count");
  if (!args.ok()) return args.Throw();
  // Freed by node-addon-api once its completion callback has run.
  KeygenWorker* worker = new (std::nothrow) KeygenWorker(callback, curve, static_cast<size_t>(count));
  if (worker == nullptr) {
    args.Fail(Status::kOpenSslFailure, "generateSigningKeys");
    return args.Throw();
  }
  worker->Queue();
  return info.Env().Undefined();
}

Napi::Value TakeSigningKeyBinding(const Napi::CallbackInfo& info) {
  JsArgs args(info);
  const Curve curve = args.CurveAt(0, "curveBits");
  if (!args.ok()) return args.Throw();
  SigningKey* key = TakeStockedSigningKey(curve);
  // Refill after the take, so the stock's target counts the key just handed out.
  RefillSigningKeyStock(info.Env(), curve);
  if (key == nullptr) return info.Env().Undefined();
  Napi::Value handle = WrapSigningKey(info.Env(), key);
  if (handle.IsEmpty()) {
    args.Fail(Status::kOpenSslFailure, "takeSigningKey");
    return args.Throw();
  }
  return handle;
}

Napi::Value SigningKeyFromScalarBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const Curve curve = args.CurveAt(0, "curveBits");
  const ByteView scalar = args.BytesAt(1, "scalar");
  const ByteView point = info[2].IsUndefined() ? ByteView{scalar.data, 0} : args.BytesAt(2, "point");
  if (!args.ok()) return args.Throw();
  SigningKey* key = nullptr;
  args.Fail(SigningKeyFromScalar(curve, scalar, point, &key), "signingKeyFromScalar");
  if (!args.ok()) return args.Throw();
  Napi::Value handle = WrapSigningKey(info.Env(), key);
  if (handle.IsEmpty()) {
    args.Fail(Status::kOpenSslFailure, "signingKeyFromScalar");
    return args.Throw();
  }
  return handle;
}

Napi::Value SigningKeyPublicKeyBinding(const Napi::CallbackInfo& info) {
  JsArgs args(info);
  SigningKey* key = args.SigningKeyAt(0, "handle", false);
  const MutableByteView out = args.MutableBytesAt(1, "outCompressed");
  if (!args.ok()) return args.Throw();
  const ByteView point = SigningKeyPublicPoint(*key);
  if (out.size != point.size) {
    args.Fail(Status::kBadOutputLength, "outCompressed");
    return args.Throw();
  }
  std::memcpy(out.data, point.data, point.size);
  return info.Env().Undefined();
}

Napi::Value ExportSigningKeyBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  SigningKey* key = args.SigningKeyAt(0, "handle", false);
  const MutableByteView scalar = args.MutableBytesAt(1, "outScalar");
  const MutableByteView point = args.MutableBytesAt(2, "outUncompressed");
  if (args.ok()) args.Fail(ExportSigningKey(*key, scalar, point), "exportSigningKey");
  if (!args.ok()) return args.Throw();
  return info.Env().Undefined();
}

Napi::Value DisposeSigningKeyBinding(const Napi::CallbackInfo& info) {
  SigningKeyHolder* holder = UnwrapSigningKey(info.Env(), info[0]);
  if (holder == nullptr) {
    ThrowStatus(info.Env(), Status::kNotSigningKey, "handle");
    return info.Env().Undefined();
  }
  DisposeSigningKey(holder);
  return info.Env().Undefined();
}

Napi::Value SignDigestBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  SigningKey* key = args.SigningKeyAt(0, "handle", false);
  const ByteView digest = args.BytesAt(1, "digest");
  const MutableByteView out = args.MutableBytesAt(2, "outSignature");
  if (!args.ok()) return args.Throw();
  size_t written = 0;
  args.Fail(SignDigest(*key, digest, out, &written), "signDigest");
  if (!args.ok()) return args.Throw();
  return Napi::Number::New(info.Env(), static_cast<double>(written));
}

Napi::Value VerifyMessageBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const Suite* suite = SignedSuiteAt(args, 0);
  const ByteView point = args.BytesAt(1, "point");
  const ByteView signed_bytes = args.BytesAt(2, "signed");
  const ByteView signature = args.BytesAt(3, "signature");
  if (!args.ok()) return args.Throw();
  const Status status = VerifyMessageSignature(suite->signature, point, signed_bytes, signature);
  if (status == Status::kOk || status == Status::kAuthenticationFailed) {
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  }
  args.Fail(status, "verifyMessage");
  return args.Throw();
}

Napi::Value VerifyMessageAsyncBinding(const Napi::CallbackInfo& info) {
  JsArgs args(info);
  const Suite* suite = SignedSuiteAt(args, 0);
  const ByteView point = args.BytesAt(1, "point");
  const ByteView signed_bytes = args.BytesAt(2, "signed");
  const ByteView signature = args.BytesAt(3, "signature");
  Napi::Function callback = args.FunctionAt(4, "callback");
  if (!args.ok()) return args.Throw();
  VerifyWorker* worker = new (std::nothrow) VerifyWorker(callback, suite->signature, point, signed_bytes, signature);
  if (worker == nullptr || !worker->pins().Add(info[1]) || !worker->pins().Add(info[2]) ||
      !worker->pins().Add(info[3])) {
    delete worker;
    args.Fail(Status::kOpenSslFailure, "verifyMessageAsync");
    return args.Throw();
  }
  worker->Queue();
  return info.Env().Undefined();
}

Napi::Value DecompressPointBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const Curve curve = args.CurveAt(0, "curveBits");
  const ByteView compressed = args.BytesAt(1, "compressed");
  const MutableByteView out = args.MutableBytesAt(2, "outUncompressed");
  if (!args.ok()) return args.Throw();
  const Status status = DecompressPoint(curve, compressed, out);
  if (status == Status::kOk || status == Status::kBadPoint)
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  args.Fail(status, "decompressPoint");
  return args.Throw();
}

}  // namespace esdk
