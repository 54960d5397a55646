#pragma once
// Taking a contiguous range, or a single index, along one axis.

#include <cstddef>

#include "graph/tensor.hpp"

namespace kiln {

// The half-open range [start, stop) of `axis` (negative counts from the
// end): slice(x, 1, 2, 5) of (b, 10, f) is (b, 3, f). The range must be
// non-empty and inside the axis, else ShapeError naming axis, range and shape.
Tensor slice(const Tensor& x, int axis, std::size_t start, std::size_t stop);

// Entry `index` of `axis`, with that axis dropped: select(x, 1, t) of a
// (batch, time, features) sequence is time step t, (batch, features).
// ShapeError naming index, axis and shape when index is out of range.
Tensor select(const Tensor& x, int axis, std::size_t index);

}  // namespace kiln
