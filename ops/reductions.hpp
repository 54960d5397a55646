#pragma once
// Reductions along one axis (sum, mean, max) and over a whole tensor (sum,
// mean). Axes count from the end when negative, as in numpy; an axis out of
// range throws ShapeError naming the op, the axis and the shape.

#include "graph/tensor.hpp"

namespace kiln {

// (2, 3, 4) summed over axis 1 -> (2, 4), or (2, 1, 4) with keepdims.
Tensor sum(const Tensor& x, int axis, bool keepdims = false);
Tensor mean(const Tensor& x, int axis, bool keepdims = false);

// The largest entry along `axis`. Its gradient goes to the first position
// holding the maximum only (ties do not share it), as in PyTorch's max(dim).
// Throws ShapeError when the axis has length 0.
Tensor max(const Tensor& x, int axis, bool keepdims = false);

// Every element reduced to a scalar of shape ().
Tensor sum(const Tensor& x);
Tensor mean(const Tensor& x);

}  // namespace kiln
