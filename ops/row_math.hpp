#pragma once
// Reductions and shifted exponentials over one contiguous row of floats: the
// inner loops of softmax and the fused cross-entropies. Compilers vectorise
// neither a float sum (it would reorder the additions) nor std::exp, so
// these use xsimd by hand (ops/kernels.hpp, one variant per instruction
// set); they are called once per row, not per element.

#include <cstddef>

namespace kiln::row {

float max(const float* x, std::size_t n);  // n >= 1
float sum(const float* x, std::size_t n);
float dot(const float* a, const float* b, std::size_t n);

// y[i] = exp(x[i] - shift) (y may be x); returns sum(y).
float exp_shifted(const float* x, float shift, float* y, std::size_t n);

// The index of the first x[i] that is not +-0 (NaN counts), n if none: the
// scan over a one-hot row or a sparse target row.
std::size_t first_nonzero(const float* x, std::size_t n);

}  // namespace kiln::row

namespace kiln {

// sums[j] += sum over r of x[r * n + j] for a (rows, n) matrix: a bias's
// gradient. The columns in two halves on kiln's two threads; each sum adds
// its rows in order either way.
void add_column_sums(const float* x, std::size_t rows, std::size_t n, float* sums);

}  // namespace kiln
