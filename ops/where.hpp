#pragma once
// where: picks from one tensor or another by a condition (Keras' ops.where
// with three arguments, numpy's where).

#include "graph/tensor.hpp"

namespace kiln {

// y = a where condition != 0, b elsewhere, the three broadcasting together
// (numpy rules). The condition is 0/1 floats, as kiln's comparisons
// (ops/comparisons.hpp) and masks give; it gets no gradient. Throws
// ShapeError naming the shapes that do not broadcast.
//   where(causal_mask(T, T), scores, -1e9f)   // masked attention scores
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, float b);
Tensor where(const Tensor& condition, float a, const Tensor& b);

}  // namespace kiln
