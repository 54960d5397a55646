#pragma once
// Reversing the order of the entries along one axis (numpy's flip).

#include "graph/tensor.hpp"

namespace kiln {

// y[.., i, ..] = x[.., n-1-i, ..] along `axis` (negative counts from the
// end): reverse(x, 1) turns a (batch, time, features) sequence back to front,
// as the Bidirectional wrapper needs. ShapeError naming the axis and shape
// when the axis is out of range.
Tensor reverse(const Tensor& x, int axis);

}  // namespace kiln
