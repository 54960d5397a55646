#pragma once
// Matrix products through BLAS, numpy's matmul over leading batch axes.

#include "graph/tensor.hpp"

namespace kiln {

struct MatmulOptions {
  bool transpose_a = false;  // use the last two axes of a swapped
  bool transpose_b = false;
};

// op(A) (..., m, k) x op(B) (..., k, n) -> (..., m, n), where op() applies
// the transposes to the last two axes and the leading (batch) axes
// broadcast as numpy's: (2, 1, m, k) x (3, k, n) -> (2, 3, m, n). Both
// operands need at least two axes. Every product is a BLAS call:
//   one B (2-D, or batch axes of 1) and A not transposed: one GEMM with
//   A's batch folded into m;
//   otherwise one GEMM per batch entry of the result.
// Throws ShapeError naming both shapes when an operand has fewer than two
// axes, the inner sizes differ, or the batch axes do not broadcast.
Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions options = {});

}  // namespace kiln
