#pragma once
// Matrix products through BLAS.

#include "graph/tensor.hpp"

namespace kiln {

struct MatmulOptions {
  bool transpose_a = false;  // use the last two axes of a swapped
  bool transpose_b = false;
};

// Shapes (op() applies the transposes to the last two axes):
//   (m, k)    x (k, n)    -> (m, n)
//   (b, m, k) x (k, n)    -> (b, m, n)   one GEMM over the flattened batch
//   (b, m, k) x (b, k, n) -> (b, m, n)   one GEMM per batch entry
// Throws ShapeError naming both shapes when the inner sizes differ.
Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions options = {});

}  // namespace kiln
