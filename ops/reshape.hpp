#pragma once
// Reshape and axis permutations. Every result is a fresh contiguous
// row-major array, so the ops that follow can treat it as raw floats.

#include <initializer_list>
#include <vector>

#include "graph/tensor.hpp"

namespace kiln {

// Same elements in a new shape; one dimension may be -1 and is inferred, as
// in numpy: reshape(x, {batch, -1}) flattens (batch, time, features) into
// (batch, time * features). Throws ShapeError naming both shapes when the
// element counts differ or the -1 cannot be inferred.
Tensor reshape(const Tensor& x, const std::vector<long>& dims);
// Exact target shape (size_t dimensions, e.g. taken from another tensor).
Tensor reshape(const Tensor& x, const Shape& shape);
// Lets a braced list of literals pick the -1-aware form: reshape(x, {2, -1}).
inline Tensor reshape(const Tensor& x, std::initializer_list<long> dims) {
  return reshape(x, std::vector<long>(dims));
}

// (m, n) -> (n, m). Throws ShapeError unless x is 2-D.
Tensor transpose(const Tensor& x);

// Output axis i is input axis axes[i]: permute(x, {1, 0, 2}) turns
// (batch, time, features) into (time, batch, features). `axes` must hold
// each of 0 .. rank-1 exactly once, else ShapeError.
Tensor permute(const Tensor& x, const std::vector<std::size_t>& axes);

}  // namespace kiln
