#pragma once
// Joining tensors end to end along an existing axis.

#include <vector>

#include "graph/tensor.hpp"

namespace kiln {

// (.., a1, ..) ++ (.., a2, ..) -> (.., a1 + a2, ..) along `axis` (negative
// counts from the end). Every other dimension must match: ShapeError names
// the axis and the first mismatching pair of shapes otherwise.
Tensor concat(const std::vector<Tensor>& tensors, int axis = -1);

}  // namespace kiln
