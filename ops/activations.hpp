#pragma once
// Element-wise activations and transcendental functions.

#include "graph/tensor.hpp"

namespace kiln {

Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);  // natural log; log(0) = -inf as in IEEE

}  // namespace kiln
