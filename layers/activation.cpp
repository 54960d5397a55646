#include "layers/activation.hpp"

#include "graph/error.hpp"
#include "ops/activations.hpp"
#include "ops/softmax.hpp"

namespace kiln {

void check_activation_name(const std::string& a) {
  if (a == "linear" || a == "relu" || a == "tanh" || a == "sigmoid" || a == "softmax") return;
  throw Error("unknown activation '" + a + "' (known: linear, relu, tanh, sigmoid, softmax)");
}

Tensor activate(const std::string& a, const Tensor& x) {
  if (a == "linear") return x;
  if (a == "relu") return relu(x);
  if (a == "tanh") return kiln::tanh(x);
  if (a == "sigmoid") return sigmoid(x);
  if (a == "softmax") return softmax(x, -1);
  check_activation_name(a);
  return x;
}

}  // namespace kiln
