#include "ops/blas.hpp"

#include "ops/gemm_log.hpp"

#include <cblas.h>

#include <algorithm>
#include <thread>

namespace kiln {

namespace {

// OpenBLAS' sgemm is slow when the product is a vector (24320x96 by 96x1
// takes 10x a plain loop), so those shapes go to sgemv. Row-major A is
// (rows, cols) with leading dimension `ld`; y = alpha * op(A) x + beta * y.
void gemv(bool transpose, int rows, int cols, int ld, float alpha, const float* a, const float* x, float beta,
          float* y) {
  cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, rows, cols, alpha, a, ld, x, 1, beta, y, 1);
}

}  // namespace

void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  if (GemmLog* log = GemmLog::active())
    log->record({transpose_a, transpose_b, m, n, k, transpose_a ? m : k, transpose_b ? k : n, n});
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
  const int lda = transpose_a ? m : k;
  const int ldb = transpose_b ? k : n;
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
              transpose_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
}

void gemm_strided(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc) {
  if (lda == (transpose_a ? m : k) && ldb == (transpose_b ? k : n) && ldc == n) {
    gemm(transpose_a, transpose_b, m, n, k, alpha, a, b, beta, c);  // contiguous after all
    return;
  }
  if (GemmLog* log = GemmLog::active()) log->record({transpose_a, transpose_b, m, n, k, lda, ldb, ldc});
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: each row of C = beta C
    for (int i = 0; i < m; ++i) {
      float* row = c + std::size_t(i) * std::size_t(ldc);
      for (int j = 0; j < n; ++j) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
    }
    return;
  }
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, m, n,
              k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void set_num_threads(int n) {
  if (n <= 0) n = int(std::thread::hardware_concurrency());
  openblas_set_num_threads(n);
}

int num_threads() { return openblas_get_num_threads(); }

}  // namespace kiln
