#pragma once
// Powers and roots, element-wise (Keras' ops.sqrt, ops.rsqrt, ops.square,
// ops.power). Values outside a function's domain give NaN as in IEEE and
// numpy (sqrt(-1), (-8)^(1/3)); the gradient there is NaN too.

#include "graph/tensor.hpp"

namespace kiln {

Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);   // 1 / sqrt(x)
Tensor square(const Tensor& x);  // x * x

// x^exponent with a constant exponent.
Tensor pow(const Tensor& x, float exponent);

// base^exponent element by element, numpy broadcasting. The exponent's
// gradient, y log(base), is taken as 0 where base <= 0 (TensorFlow's
// convention: no real logarithm there). Throws ShapeError naming both
// shapes when they do not broadcast.
Tensor pow(const Tensor& base, const Tensor& exponent);

// Keras' name for pow.
inline Tensor power(const Tensor& x, float exponent) { return pow(x, exponent); }
inline Tensor power(const Tensor& base, const Tensor& exponent) { return pow(base, exponent); }

}  // namespace kiln
