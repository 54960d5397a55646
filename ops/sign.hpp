#pragma once
// Absolute value and sign, element-wise (Keras' ops.abs, ops.sign).

#include "graph/tensor.hpp"

namespace kiln {

// |x|. Its gradient at 0 is 0 (sign(0)), as TensorFlow's.
Tensor abs(const Tensor& x);

// -1, 0 or 1 (NaN stays NaN). Piecewise constant: the result needs no
// gradient and carries none (TensorFlow gives zeros, the same numbers).
Tensor sign(const Tensor& x);

}  // namespace kiln
