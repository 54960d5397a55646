#pragma once
// A dense projection with its bias and ReLU fused: one GEMM, then one pass
// that adds the bias (and clamps) in place, and the same backward. Composed
// from matmul, a broadcast add and relu it takes three full-size results
// and three passes each way; the Transformer's projections and feed-forward
// blocks run it a dozen times a step.

#include "graph/tensor.hpp"

namespace kiln {

// x (..., in) -> (..., out) = x K + b, then max(0, .) when `relu`.
// The kernel's leading axes whose sizes multiply to `in` are its input side,
// the rest its output side, so Keras' (dim, heads, key_dim) projection
// kernels and (heads, value_dim, dim) output kernels are used as they are
// stored: (dim, heads * key_dim) and (heads * value_dim, dim). `bias` holds
// `out` elements (any shape; its gradient keeps it) or is undefined.
// Throws ShapeError naming both shapes when the kernel does not fit x, or
// the bias the kernel.
Tensor linear(const Tensor& x, const Tensor& kernel, const Tensor& bias, bool relu = false);

}  // namespace kiln
