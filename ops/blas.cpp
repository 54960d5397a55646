#include "ops/blas.hpp"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "ops/gemm_log.hpp"
#include "ops/parallel.hpp"

namespace kiln {

namespace {

// --- the thread plan: how many threads kiln may use, and who runs the second ---

std::atomic<int> threads_set{0};  // 0: not set, OpenBLAS's default holds
std::atomic<bool> second_is_kilns{false};
std::once_flag plan_made;

// OpenBLAS's own default (all cores, or OPENBLAS_NUM_THREADS), read before
// kiln first changes it.
int default_threads() {
  static const int threads = std::max(1, openblas_get_num_threads());
  return threads;
}

// Two threads: OpenBLAS on one, kiln's helper (ops/parallel.hpp) the other.
// Why: between products OpenBLAS's worker keeps its core busy waiting, so a
// thread of kiln's beside it only shares that core (bench/RESULTS.md). Not
// with an OpenMP OpenBLAS, whose thread count is per calling thread: the
// helper would run it at two again.
void apply_plan(int threads) {
  const bool kilns = threads == 2 && openblas_get_parallel() != 2;
  second_is_kilns.store(kilns);
  openblas_set_num_threads(kilns ? 1 : threads);
}

// Before any product: the default plan, unless set_num_threads made one.
void ensure_plan() {
  std::call_once(plan_made, [] {
    if (threads_set.load() == 0) apply_plan(default_threads());
  });
}

// --- products ---

CBLAS_TRANSPOSE transposition(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

// Where a product is split: at a multiple of 16 rows or columns of C, so each
// half starts on a tile boundary of the whole product (OpenBLAS's widest
// tile is 16 floats; coarser steps left halves up to 25% apart, 215 and 128
// columns of a 343-wide product). A matrix-vector product splits at a
// multiple of 64 rows, where sgemv's blocks start.
constexpr std::size_t gemm_split_align = 16;
constexpr std::size_t gemv_split_align = 64;

// C = alpha op(A) op(B) + beta C with BLAS strides, the rows (or, when C is
// wider than tall, the columns) of C in two halves where kiln runs the
// second thread. Each element is summed by one call either way; OpenBLAS
// picks its kernels by size, so a half may still round differently from the
// whole for some shapes (the tested ones give the same bits).
void split_gemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
                float beta, float* c, int ldc) {
  const std::size_t flops = 2 * std::size_t(m) * std::size_t(n) * std::size_t(k);
  if (m >= n) {  // C's rows: A's rows, or its columns when transposed
    parallel_halves(std::size_t(m), flops, [&](std::size_t r0, std::size_t r1) {
      const float* a0 = ta ? a + r0 : a + r0 * std::size_t(lda);
      cblas_sgemm(CblasRowMajor, transposition(ta), transposition(tb), int(r1 - r0), n, k, alpha, a0, lda, b, ldb, beta,
                  c + r0 * std::size_t(ldc), ldc);
    }, gemm_split_align);
  } else {  // C's columns: B's columns, or its rows when transposed
    parallel_halves(std::size_t(n), flops, [&](std::size_t c0, std::size_t c1) {
      const float* b0 = tb ? b + c0 * std::size_t(ldb) : b + c0;
      cblas_sgemm(CblasRowMajor, transposition(ta), transposition(tb), m, int(c1 - c0), k, alpha, a, lda, b0, ldb, beta,
                  c + c0, ldc);
    }, gemm_split_align);
  }
}

// OpenBLAS' sgemm is slow when the product is a vector (24320x96 by 96x1
// takes 10x a plain loop), so those shapes go to sgemv. Row-major A is
// (rows, cols) with leading dimension `ld`; y = alpha * op(A) x + beta * y.
// Untransposed, y's elements in two halves as split_gemm's rows. Transposed
// it stays whole: OpenBLAS sums a column block starting elsewhere in another
// order.
void gemv(bool transpose, int rows, int cols, int ld, float alpha, const float* a, const float* x, float beta,
          float* y) {
  if (transpose) {
    cblas_sgemv(CblasRowMajor, CblasTrans, rows, cols, alpha, a, ld, x, 1, beta, y, 1);
    return;
  }
  parallel_halves(std::size_t(rows), 2 * std::size_t(rows) * std::size_t(cols), [&](std::size_t r0, std::size_t r1) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, int(r1 - r0), cols, alpha, a + r0 * std::size_t(ld), ld, x, 1, beta,
                y + r0, 1);
  }, gemv_split_align);
}

}  // namespace

void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  if (GemmLog* log = GemmLog::active())
    log->record({transpose_a, transpose_b, m, n, k, transpose_a ? m : k, transpose_b ? k : n, n});
  ensure_plan();
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: C = beta C (BLAS rejects the zero leading dimension)
    const std::size_t count = std::size_t(m) * std::size_t(n);
    if (beta == 0.0f) std::fill_n(c, count, 0.0f);
    else for (std::size_t i = 0; i < count; ++i) c[i] *= beta;
    return;
  }
  if (n == 1) {  // c (m) = op(A) (m, k) . b (k): b is contiguous either way
    if (transpose_a) gemv(true, k, m, m, alpha, a, b, beta, c);
    else gemv(false, m, k, k, alpha, a, b, beta, c);
    return;
  }
  if (m == 1) {  // c (n) = a (k) . op(B) (k, n) = op(B)^T a
    if (transpose_b) gemv(false, n, k, k, alpha, b, a, beta, c);
    else gemv(true, k, n, n, alpha, b, a, beta, c);
    return;
  }
  split_gemm(transpose_a, transpose_b, m, n, k, alpha, a, transpose_a ? m : k, b, transpose_b ? k : n, beta, c, n);
}

void gemm_strided(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc) {
  if (lda == (transpose_a ? m : k) && ldb == (transpose_b ? k : n) && ldc == n) {
    gemm(transpose_a, transpose_b, m, n, k, alpha, a, b, beta, c);  // contiguous after all
    return;
  }
  if (GemmLog* log = GemmLog::active()) log->record({transpose_a, transpose_b, m, n, k, lda, ldb, ldc});
  ensure_plan();
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: each row of C = beta C
    for (int i = 0; i < m; ++i) {
      float* row = c + std::size_t(i) * std::size_t(ldc);
      for (int j = 0; j < n; ++j) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
    }
    return;
  }
  split_gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void set_num_threads(int n) {
  default_threads();  // read before the first change
  if (n <= 0) n = int(std::thread::hardware_concurrency());
  threads_set.store(n);
  std::call_once(plan_made, [] {});  // no default plan after this
  apply_plan(n);
}

int num_threads() {
  const int n = threads_set.load();
  return n > 0 ? n : default_threads();
}

bool kiln_runs_second_thread() {
  ensure_plan();
  return second_is_kilns.load(std::memory_order_relaxed);
}

OpenBlasOnItsOwn::OpenBlasOnItsOwn() {
  ensure_plan();
  second_is_kilns.store(false);  // kiln's products too leave the threads to OpenBLAS meanwhile
  openblas_set_num_threads(num_threads());
}

OpenBlasOnItsOwn::~OpenBlasOnItsOwn() { apply_plan(num_threads()); }

}  // namespace kiln
