#pragma once
// The one place kiln calls BLAS. Every matrix product in the library goes
// through gemm(), so thread settings and call conventions live here only.

namespace kiln {

// C = alpha * op(A) * op(B) + beta * C, all row-major and contiguous, where
// op(A) is (m, k), op(B) is (k, n) and C is (m, n).
void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
          const float* b, float beta, float* c);

// The same on sub-matrices: row-major operands whose rows are lda, ldb and
// ldc floats apart (a column block of a wider matrix, say).
void gemm_strided(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc);

// Sets the number of threads kiln may use. Call it once at start-up, before
// any product; 0 means as many as the machine reports. Not called, kiln
// takes OpenBLAS's own default (every core, or OPENBLAS_NUM_THREADS). With
// two, kiln runs the second thread itself (ops/parallel.hpp: large products
// split in two, the attention's per-head work too) and sets OpenBLAS, for
// the whole process, to one; with any other number OpenBLAS runs that many
// threads for each product, as it would without kiln.
void set_num_threads(int n);
int num_threads();

// True when kiln, not OpenBLAS, runs the second thread (two threads set).
bool kiln_runs_second_thread();

// For measuring against OpenBLAS on its own (the benchmarks' raw cblas
// references): while one is alive, OpenBLAS runs num_threads() threads for
// each product itself, as it would without kiln.
class OpenBlasOnItsOwn {
 public:
  OpenBlasOnItsOwn();
  ~OpenBlasOnItsOwn();
  OpenBlasOnItsOwn(const OpenBlasOnItsOwn&) = delete;
  OpenBlasOnItsOwn& operator=(const OpenBlasOnItsOwn&) = delete;
};

}  // namespace kiln
