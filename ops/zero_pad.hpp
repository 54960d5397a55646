#pragma once
// Zero padding of the spatial axes of a channels-last image batch (Keras'
// ZeroPadding2D).

#include <array>
#include <cstddef>

#include "graph/tensor.hpp"

namespace kiln {

// {{top, bottom}, {left, right}}: rows and columns of zeros to add.
using Padding2D = std::array<std::array<std::size_t, 2>, 2>;

// x (batch, height, width, channels) -> (batch, top + height + bottom,
// left + width + right, channels). Throws ShapeError unless x is 4-D.
Tensor zero_pad2d(const Tensor& x, const Padding2D& padding);

}  // namespace kiln
