#pragma once
// Activations by their Keras names, for layers that take an `activation`
// option ("linear", "relu", "tanh", "sigmoid", "softmax").

#include <string>

#include "graph/tensor.hpp"

namespace kiln {

// Applies the named activation; softmax is over the last axis.
Tensor activate(const std::string& activation, const Tensor& x);

// Throws kiln::Error naming the unknown activation and the known ones.
void check_activation_name(const std::string& activation);

}  // namespace kiln
