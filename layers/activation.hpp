#pragma once
// Activations by their Keras 3 names, for layers that take an `activation`
// option: "linear", "relu", "tanh", "sigmoid", "softmax", "log_softmax",
// "elu", "selu", "softplus", "softsign", "silu" / "swish", "gelu",
// "relu6", "hard_sigmoid", "hard_silu" / "hard_swish", "leaky_relu",
// "exponential", "mish". Each takes Keras' default options
// (keras.activations.get(name)): gelu exact (approximate=False),
// leaky_relu with negative_slope 0.2, elu with alpha 1; softmax and
// log_softmax over the last axis. The functions themselves, with options,
// are in ops/activations.hpp and ops/softmax.hpp.

#include <string>
#include <vector>

#include "graph/tensor.hpp"

namespace kiln {

// Applies the named activation.
Tensor activate(const std::string& activation, const Tensor& x);

// Throws kiln::Error naming the unknown activation and the known ones.
void check_activation_name(const std::string& activation);

// Every name activate() takes, in the order the error message lists them.
std::vector<std::string> activation_names();

}  // namespace kiln
