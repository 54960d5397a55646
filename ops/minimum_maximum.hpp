#pragma once
// Element-wise minimum and maximum of two tensors, numpy broadcasting
// (Keras' ops.minimum, ops.maximum), and against a constant.
//
// Ties (a == b) give the whole gradient to the first argument, a, as
// TensorFlow and TF.js do (Keras 3 on its TensorFlow backend): maximum's
// gradient is g [a >= b] for a and g [a < b] for b; minimum's g [a <= b]
// and g [a > b]. PyTorch instead splits a tie's gradient, g/2 to each; the
// two agree everywhere else.

#include "graph/tensor.hpp"

namespace kiln {

// Throw ShapeError naming both shapes when they do not broadcast.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// Against a constant: maximum(x, 0.0f) is relu, its gradient at x == c is
// x's (g [x >= c]).
Tensor maximum(const Tensor& x, float c);
Tensor minimum(const Tensor& x, float c);

}  // namespace kiln
