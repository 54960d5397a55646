#pragma once
// The one place kiln calls BLAS. Every matrix product in the library goes
// through gemm(), so thread settings and call conventions live here only.

namespace kiln {

// C = alpha * op(A) * op(B) + beta * C, all row-major and contiguous, where
// op(A) is (m, k), op(B) is (k, n) and C is (m, n).
void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
          const float* b, float beta, float* c);

// The same on matrices inside larger row-major arrays: row i of A starts
// lda floats after row i - 1 (likewise ldb, ldc), as one head's (T, d) block
// of a (batch, T, heads, d) tensor has lda = heads * d.
void gemm_strided(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc);

// Sets the number of threads BLAS (and any pool of kiln's own) may use.
// Call it once at start-up; 0 means "as many as there are cores".
void set_num_threads(int n);
int num_threads();

}  // namespace kiln
