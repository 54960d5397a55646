#pragma once
// one_hot: integer class ids to one-hot rows (not differentiable).

#include <cstddef>

#include "graph/tensor.hpp"

namespace kiln {

// indices (integers stored as floats) of shape S -> a Tensor of shape
// S + (depth) with 1 at [..., index] and 0 elsewhere; (2, 3) ids with depth
// 5 give (2, 3, 5). Throws kiln::Error naming the index and the depth for
// an index that is negative, not an integer, or >= depth.
Tensor one_hot(const Array& indices, std::size_t depth);

}  // namespace kiln
