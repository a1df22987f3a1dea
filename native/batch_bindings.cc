// N-API plumbing for BatchJob: the message table read and checked, then the job run here or by AsyncWorkers on the
// pool, one callback.
#include "batch_bindings.h"

#include <openssl/crypto.h>

#include <new>

#include "batch.h"
#include "batch_table.h"
#include "error_mark.h"
#include "frame_table.h"
#include "js_args.h"
#include "pins.h"

namespace esdk {
namespace {

constexpr uint8_t kZeroIv[kIvLength] = {0};
constexpr size_t kIdSlot = 32;
constexpr uint64_t kMaxBatchThreads = 64;
// Messages per worker at least: fewer would spend more on queueing a worker than it saves.
constexpr size_t kMessagesPerWorker = 16;

bool Outside(ByteView a, MutableByteView region) noexcept {
  return !Overlaps(a.data, a.size, region.data, region.size);
}

// Reads sealBatch's arguments into a job; nullptr (with the failure recorded in `args`) when any is wrong.
BatchJob* ReadSealBatch(JsArgs& args, const Napi::CallbackInfo& info) noexcept {
  using A = SealBatchArg;
  const uint32_t run_count = args.ArrayLengthAt(At(A::kRuns));
  const uint32_t count = args.ArrayLengthAt(At(A::kPlaintexts));
  size_t table_length = 0;
  const double* table = args.Float64sAt(At(A::kTable), &table_length);
  const ByteView ids = args.BytesAt(At(A::kMessageIds));
  const MutableByteView out = args.MutableBytesAt(At(A::kOut));
  size_t lengths_count = 0;
  // Written by the job: the caller hands over a Float64Array of `count` elements for it.
  double* lengths = const_cast<double*>(args.Float64sAt(At(A::kLengths), &lengths_count));
  if (!args.ok()) return nullptr;
  if (table_length != size_t{count} * kSealBatchStride || ids.size != size_t{count} * kIdSlot ||
      lengths_count != count) {
    args.Fail(Status::kBadBatchTable, At(A::kTable).name);
    return nullptr;
  }
  SealBatchRun* runs = new (std::nothrow) SealBatchRun[run_count > 0 ? run_count : 1]();
  SealBatchMessage* messages = new (std::nothrow) SealBatchMessage[count > 0 ? count : 1]();
  if (runs == nullptr || messages == nullptr) {
    delete[] runs;
    delete[] messages;
    args.Fail(Status::kOpenSslFailure, "sealBatch");
    return nullptr;
  }
  const napi_value run_array = args.ValueAt(At(A::kRuns));
  for (uint32_t r = 0; r < run_count && args.ok(); ++r) {
    const napi_value run = args.ElementOf(run_array, r, At(A::kRuns).name);
    SealBatchRun& into = runs[r];
    into.suite = args.SuiteOf(args.PropertyOf(run, "suiteId"), "runs[].suiteId");
    into.data_key = args.BytesOf(args.PropertyOf(run, "dataKey"), "runs[].dataKey");
    into.header = args.BytesOf(args.PropertyOf(run, "header"), "runs[].header");
    into.message_id_offset =
        static_cast<size_t>(args.IntegerOf(args.PropertyOf(run, "messageIdOffset"), "runs[].messageIdOffset", 4));
    into.extra_aad = args.BytesOf(args.PropertyOf(run, "extraAad"), "runs[].extraAad");
    into.frame_length = args.IntegerOf(args.PropertyOf(run, "frameLength"), "runs[].frameLength", 0xFFFFFFFFu);
    into.signing_key = args.SigningKeyOf(args.PropertyOf(run, "signingKey"), "runs[].signingKey", true);
    into.shared_signing_key = args.IntegerOf(args.PropertyOf(run, "sharedKey"), "runs[].sharedKey", 1) == 1;
    if (args.ok() && (!Outside(into.data_key, out) || !Outside(into.header, out) || !Outside(into.extra_aad, out))) {
      args.Fail(Status::kOverlap, At(A::kRuns).name);
    }
  }
  const napi_value plaintexts = args.ValueAt(At(A::kPlaintexts));
  size_t end = 0;
  for (uint32_t i = 0; i < count && args.ok(); ++i) {
    // Rows in output order, none overlapping the one before: no two threads write the same bytes.
    SealBatchRow row{};
    if (ReadSealBatchRow(table, i, run_count, out.size, &end, &row) != Status::kOk) {
      args.Fail(Status::kBadBatchTable, At(A::kTable).name);
      break;
    }
    SealBatchMessage& m = messages[i];
    m.run = static_cast<uint32_t>(row.run);
    m.plaintext = args.BytesOf(args.ElementOf(plaintexts, i, At(A::kPlaintexts).name), At(A::kPlaintexts).name);
    m.message_id = ByteView{ids.data + i * kIdSlot,
                            runs[row.run].suite != nullptr ? runs[row.run].suite->message_id_length : kIdSlot};
    m.out = MutableByteView{out.data + row.offset, row.capacity};
    if (args.ok() && (!Outside(m.plaintext, out) || !Outside(ids, out)))
      args.Fail(Status::kOverlap, At(A::kPlaintexts).name);
  }
  if (!args.ok()) {
    delete[] runs;
    delete[] messages;
    return nullptr;
  }
  BatchJob* job = BatchJob::ForSeal(runs, run_count, messages, count, lengths, out);
  if (job == nullptr) args.Fail(Status::kOpenSslFailure, "sealBatch");
  (void)info;
  return job;
}

BatchJob* ReadOpenBatch(JsArgs& args) noexcept {
  using A = OpenBatchArg;
  const uint32_t group_count = args.ArrayLengthAt(At(A::kGroups));
  const uint32_t count = args.ArrayLengthAt(At(A::kHeaders));
  const uint32_t source_count = args.ArrayLengthAt(At(A::kSources));
  const uint32_t frame_table_count = args.ArrayLengthAt(At(A::kFrameTables));
  const uint32_t signature_count = args.ArrayLengthAt(At(A::kSignatures));
  size_t table_length = 0;
  const double* table = args.Float64sAt(At(A::kTable), &table_length);
  const MutableByteView out = args.MutableBytesAt(At(A::kOut));
  const MutableByteView authentic = args.MutableBytesAt(At(A::kAuthentic));
  if (!args.ok()) return nullptr;
  if (source_count != count || frame_table_count != count || (signature_count != 0 && signature_count != count) ||
      table_length != size_t{count} * kOpenBatchStride || authentic.size != count) {
    args.Fail(Status::kBadBatchTable, At(A::kTable).name);
    return nullptr;
  }
  OpenBatchGroup* groups = new (std::nothrow) OpenBatchGroup[group_count > 0 ? group_count : 1]();
  OpenBatchMessage* messages = new (std::nothrow) OpenBatchMessage[count > 0 ? count : 1]();
  if (groups == nullptr || messages == nullptr) {
    delete[] groups;
    delete[] messages;
    args.Fail(Status::kOpenSslFailure, "openBatch");
    return nullptr;
  }
  const napi_value group_array = args.ValueAt(At(A::kGroups));
  for (uint32_t g = 0; g < group_count && args.ok(); ++g) {
    const napi_value group = args.ElementOf(group_array, g, At(A::kGroups).name);
    OpenBatchGroup& into = groups[g];
    into.suite = args.SuiteOf(args.PropertyOf(group, "suiteId"), "groups[].suiteId");
    into.data_key = args.BytesOf(args.PropertyOf(group, "dataKey"), "groups[].dataKey");
    into.extra_aad = args.BytesOf(args.PropertyOf(group, "extraAad"), "groups[].extraAad");
    into.point = args.BytesOf(args.PropertyOf(group, "point"), "groups[].point");
    if (args.ok() && (!Outside(into.data_key, out) || !Outside(into.extra_aad, out)))
      args.Fail(Status::kOverlap, At(A::kGroups).name);
    // A signed group needs every message's signature.
    if (args.ok() && into.suite->signature != Curve::kNone && signature_count != count)
      args.Fail(Status::kBadBatchTable, At(A::kSignatures).name);
  }
  const napi_value headers = args.ValueAt(At(A::kHeaders));
  const napi_value sources = args.ValueAt(At(A::kSources));
  const napi_value frame_tables = args.ValueAt(At(A::kFrameTables));
  const napi_value signatures = args.ValueAt(At(A::kSignatures));
  size_t end = 0;
  for (uint32_t i = 0; i < count && args.ok(); ++i) {
    OpenBatchRow row{};
    if (ReadOpenBatchRow(table, i, group_count, out.size, &end, &row) != Status::kOk) {
      args.Fail(Status::kBadBatchTable, At(A::kTable).name);
      break;
    }
    OpenBatchMessage& m = messages[i];
    m.group = static_cast<uint32_t>(row.group);
    const ByteView header = args.BytesOf(args.ElementOf(headers, i, At(A::kHeaders).name), At(A::kHeaders).name);
    m.source = args.BytesOf(args.ElementOf(sources, i, At(A::kSources).name), At(A::kSources).name);
    size_t rows = 0;
    m.table =
        args.Float64sOf(args.ElementOf(frame_tables, i, At(A::kFrameTables).name), At(A::kFrameTables).name, &rows);
    if (signature_count != 0)
      m.signature = args.BytesOf(args.ElementOf(signatures, i, At(A::kSignatures).name), At(A::kSignatures).name);
    if (!args.ok()) break;
    // The header is its body then its authentication: v1 IV ‖ tag, v2 the tag alone (message-header.md).
    const bool v2 = groups[row.group].suite->commitment;
    const size_t auth = v2 ? kV2HeaderAuthLength : kV1HeaderAuthLength;
    if (CheckOpenBatchMessage(row, header.size, auth, m.source.size, rows) != Status::kOk) {
      args.Fail(Status::kBadBatchTable, At(A::kHeaders).name);
      break;
    }
    m.header_body = ByteView{header.data, row.body_length};
    m.header_iv = v2 ? ByteView{kZeroIv, kIvLength} : ByteView{header.data + row.body_length, kIvLength};
    m.header_tag = ByteView{header.data + header.size - kTagLength, kTagLength};
    m.frame_count = rows / kFrameTableStride;
    m.out = MutableByteView{out.data + row.offset, row.length};
    m.signed_bytes = ByteView{m.source.data, row.signed_length};
    // Every input outside the plaintext region (OpenMessage checks each against its own slice only).
    if (!Outside(header, out) || !Outside(m.source, out) || !Outside(m.signature, out))
      args.Fail(Status::kOverlap, At(A::kSources).name);
  }
  if (!args.ok()) {
    delete[] groups;
    delete[] messages;
    return nullptr;
  }
  BatchJob* job = BatchJob::ForOpen(groups, group_count, messages, count, authentic.data);
  if (job == nullptr) args.Fail(Status::kOpenSslFailure, "openBatch");
  return job;
}

// What a batch's workers share on the JS thread; freed by the last worker to finish.
struct BatchCompletion {
  BatchCompletion(napi_env env, BatchJob* j, const char* op) noexcept : job(j), what(op), pins(env) {}
  ~BatchCompletion() { delete job; }
  BatchJob* job;
  const char* what;
  size_t pending = 0;
  Napi::FunctionReference callback;
  Pins pins;
};

class BatchWorker : public Napi::AsyncWorker {
 public:
  BatchWorker(Napi::Env env, BatchCompletion* completion) noexcept
      : Napi::AsyncWorker(env, "esdk:batch"), completion_(completion) {}

  void Execute() override {
    ErrorMark mark;
    completion_->job->Run();
  }
  void OnOK() override { Done(); }
  void OnError(const Napi::Error& /*error*/) override { Done(); }

 private:
  void Done() {
    BatchCompletion* c = completion_;
    if (--c->pending != 0) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    const Status status = c->job->Finish();
    Napi::Function callback = c->callback.Value();
    if (status == Status::kOk) {
      callback.Call({env.Null()});
    } else {
      napi_value error = StatusError(env, status, c->what);
      callback.Call({error != nullptr ? Napi::Value(env, error) : env.Undefined()});
    }
    delete c;
  }

  BatchCompletion* const completion_;
};

// Pins `slots`, queues the workers; false (nothing queued, the job freed) if any step fails.
template <typename Arg, size_t N>
bool Launch(JsArgs& args, const Napi::CallbackInfo& info, BatchJob* job, const Arg (&slots)[N], uint64_t threads,
            Napi::Function callback, const char* what) noexcept {
  BatchCompletion* c = new (std::nothrow) BatchCompletion(info.Env(), job, what);
  if (c == nullptr) {
    delete job;
    return false;
  }
  for (const Arg slot : slots) {
    if (!c->pins.Add(args.ValueAt(At(slot)))) {
      delete c;
      return false;
    }
  }
  const size_t wanted = (job->count() + kMessagesPerWorker - 1) / kMessagesPerWorker;
  const size_t workers = static_cast<size_t>(threads < wanted ? threads : (wanted > 0 ? wanted : 1));
  BatchWorker* queued[kMaxBatchThreads] = {};
  for (size_t i = 0; i < workers; ++i) {
    queued[i] = new (std::nothrow) BatchWorker(info.Env(), c);
    if (queued[i] == nullptr) {
      for (size_t j = 0; j < i; ++j) delete queued[j];
      delete c;
      return false;
    }
  }
  c->callback = Napi::Persistent(callback);
  c->pending = workers;
  for (size_t i = 0; i < workers; ++i) queued[i]->Queue();
  return true;
}

}  // namespace

Napi::Value SealBatchBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  BatchJob* job = ReadSealBatch(args, info);
  if (job == nullptr) return args.Throw();
  job->Run();
  const Status status = job->Finish();
  delete job;
  if (status != Status::kOk) {
    args.Fail(status, "sealBatch");
    return args.Throw();
  }
  return info.Env().Undefined();
}

Napi::Value SealBatchAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = SealBatchAsyncArg;
  const uint64_t threads = args.IntegerAt(At(A::kThreads), kMaxBatchThreads);
  Napi::Function callback = args.FunctionAt(At(A::kCallback));
  if (args.ok() && threads == 0) args.Fail(Status::kNotSafeInteger, At(A::kThreads).name);
  if (!args.ok()) return args.Throw();
  BatchJob* job = ReadSealBatch(args, info);
  if (job == nullptr) return args.Throw();
  // The runs (and through them the keys and headers), plaintexts and outputs are used on the pool.
  static constexpr SealBatchArg kPinned[] = {SealBatchArg::kRuns,  SealBatchArg::kPlaintexts,
                                             SealBatchArg::kTable, SealBatchArg::kMessageIds,
                                             SealBatchArg::kOut,   SealBatchArg::kLengths};
  const MutableByteView out = args.MutableBytesAt(At(SealBatchArg::kOut));
  if (!Launch(args, info, job, kPinned, threads, callback, "sealBatchAsync")) {
    OPENSSL_cleanse(out.data, out.size);
    args.Fail(Status::kOpenSslFailure, "sealBatchAsync");
    return args.Throw();
  }
  return info.Env().Undefined();
}

Napi::Value OpenBatchBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  BatchJob* job = ReadOpenBatch(args);
  if (job == nullptr) return args.Throw();
  job->Run();
  const Status status = job->Finish();
  delete job;
  if (status != Status::kOk) {
    args.Fail(status, "openBatch");
    return args.Throw();
  }
  return info.Env().Undefined();
}

Napi::Value OpenBatchAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = OpenBatchAsyncArg;
  const uint64_t threads = args.IntegerAt(At(A::kThreads), kMaxBatchThreads);
  Napi::Function callback = args.FunctionAt(At(A::kCallback));
  if (args.ok() && threads == 0) args.Fail(Status::kNotSafeInteger, At(A::kThreads).name);
  if (!args.ok()) return args.Throw();
  BatchJob* job = ReadOpenBatch(args);
  if (job == nullptr) return args.Throw();
  static constexpr OpenBatchArg kPinned[] = {
      OpenBatchArg::kGroups,     OpenBatchArg::kHeaders, OpenBatchArg::kSources, OpenBatchArg::kFrameTables,
      OpenBatchArg::kSignatures, OpenBatchArg::kTable,   OpenBatchArg::kOut,     OpenBatchArg::kAuthentic};
  const MutableByteView out = args.MutableBytesAt(At(OpenBatchArg::kOut));
  if (!Launch(args, info, job, kPinned, threads, callback, "openBatchAsync")) {
    OPENSSL_cleanse(out.data, out.size);
    args.Fail(Status::kOpenSslFailure, "openBatchAsync");
    return args.Throw();
  }
  return info.Env().Undefined();
}

}  // namespace esdk
