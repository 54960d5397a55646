#pragma once
// cumsum: running sums along an axis (Keras' ops.cumsum, numpy's cumsum).

#include "graph/tensor.hpp"

namespace kiln {

// y[.., i, ..] = sum_{j <= i} x[.., j, ..] along `axis` (negative counts
// from the end); same shape as x. Throws ShapeError for an axis out of range.
Tensor cumsum(const Tensor& x, int axis);

// Over the flattened tensor (Keras' axis=None): a 1-D result of x.size().
Tensor cumsum(const Tensor& x);

}  // namespace kiln
