// The signing-key stock: a mutex-guarded list per curve, filled from napi async work on the libuv pool.
#include "signing_key_stock.h"

#include <algorithm>
#include <mutex>
#include <new>
#include <thread>

#include "error_mark.h"

namespace esdk {
namespace {

// A P-384 key pair and its nonce cost ~1 ms (two fixed-base multiplications), a P-256 one far
// less; one job makes `batch` keys so that a pool thread is never held for long (fs, dns and
// zlib share the pool), and the stock stays small: each key holds a secret until it is used.
struct Tuning {
  size_t batch;
  size_t target;
};
constexpr Tuning kP256 = {8, 32};
constexpr Tuning kP384 = {1, 8};

// Pool jobs at once: one per core, at most three, so key generation never takes the last of the
// pool's four default threads.
size_t MaxJobs() noexcept {
  static const size_t jobs = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 3);
  return jobs;
}

struct CurveStock {
  std::mutex mutex;
  SigningKey* keys[32] = {};
  size_t count = 0;
  size_t jobs = 0;  // queued or running, not yet back
};

CurveStock& StockFor(Curve curve) noexcept {
  // Never destroyed: pool work may still finish while the process exits.
  static CurveStock* const p256 = new CurveStock;
  static CurveStock* const p384 = new CurveStock;
  return curve == Curve::kP256 ? *p256 : *p384;
}

const Tuning& TuningFor(Curve curve) noexcept { return curve == Curve::kP256 ? kP256 : kP384; }

struct Job {
  Curve curve;
  napi_async_work work = nullptr;
  bool ran = false;
};

// Pool thread: makes the batch, then hands it to the stock and gives the job slot back, all
// without the JS thread's help.
void Execute(napi_env /*env*/, void* data) {
  Job* job = static_cast<Job*>(data);
  job->ran = true;
  ErrorMark mark;
  const Tuning& tuning = TuningFor(job->curve);
  SigningKey* made[8] = {};
  size_t n = 0;
  for (; n < tuning.batch; ++n) {
    if (GenerateSigningKey(job->curve, &made[n]) != Status::kOk) break;
  }
  CurveStock& stock = StockFor(job->curve);
  std::lock_guard<std::mutex> lock(stock.mutex);
  for (size_t i = 0; i < n; ++i) {
    if (stock.count < tuning.target) {
      stock.keys[stock.count++] = made[i];
    } else {
      FreeSigningKey(made[i]);
    }
  }
  stock.jobs--;
}

// JS thread: only the bookkeeping of the work object (and the slot, if the job never ran).
void Complete(napi_env env, napi_status /*status*/, void* data) {
  Job* job = static_cast<Job*>(data);
  if (!job->ran) {
    CurveStock& stock = StockFor(job->curve);
    std::lock_guard<std::mutex> lock(stock.mutex);
    stock.jobs--;
  }
  napi_delete_async_work(env, job->work);
  delete job;
}

static_assert(kP256.batch <= 8 && kP384.batch <= 8, "Execute's batch array");
static_assert(kP256.target <= 32 && kP384.target <= 32, "CurveStock's key array");

}  // namespace

SigningKey* TakeStockedSigningKey(Curve curve) noexcept {
  CurveStock& stock = StockFor(curve);
  std::lock_guard<std::mutex> lock(stock.mutex);
  if (stock.count == 0) return nullptr;
  SigningKey* key = stock.keys[--stock.count];
  stock.keys[stock.count] = nullptr;
  return key;
}

void RefillSigningKeyStock(napi_env env, Curve curve) noexcept {
  CurveStock& stock = StockFor(curve);
  const Tuning& tuning = TuningFor(curve);
  std::lock_guard<std::mutex> lock(stock.mutex);
  while (stock.jobs < MaxJobs() && stock.count + stock.jobs * tuning.batch < tuning.target) {
    Job* job = new (std::nothrow) Job{curve};
    if (job == nullptr) return;
    napi_value name = nullptr;
    if (napi_create_string_utf8(env, "esdk:signingKeyStock", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_async_work(env, nullptr, name, Execute, Complete, job, &job->work) != napi_ok) {
      delete job;
      return;
    }
    if (napi_queue_async_work(env, job->work) != napi_ok) {
      napi_delete_async_work(env, job->work);
      delete job;
      return;
    }
    stock.jobs++;
  }
}

}  // namespace esdk
