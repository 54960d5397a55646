#include "layers/activation.hpp"

#include <array>
#include <string_view>

#include "graph/error.hpp"
#include "ops/activations.hpp"
#include "ops/softmax.hpp"

namespace kiln {

namespace {

struct NamedActivation {
  std::string_view name;
  Tensor (*apply)(const Tensor&);
};

// The hot ones first: a layer looks its activation up on every call.
constexpr std::array<NamedActivation, 20> activations{{
    {"linear", [](const Tensor& x) { return x; }},
    {"relu", [](const Tensor& x) { return relu(x); }},
    {"tanh", [](const Tensor& x) { return kiln::tanh(x); }},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
    {"softmax", [](const Tensor& x) { return softmax(x, -1); }},
    {"log_softmax", [](const Tensor& x) { return log_softmax(x, -1); }},
    {"elu", [](const Tensor& x) { return elu(x); }},
    {"selu", [](const Tensor& x) { return selu(x); }},
    {"softplus", [](const Tensor& x) { return softplus(x); }},
    {"softsign", [](const Tensor& x) { return softsign(x); }},
    {"silu", [](const Tensor& x) { return silu(x); }},
    {"swish", [](const Tensor& x) { return silu(x); }},
    {"gelu", [](const Tensor& x) { return gelu(x); }},
    {"relu6", [](const Tensor& x) { return relu6(x); }},
    {"hard_sigmoid", [](const Tensor& x) { return hard_sigmoid(x); }},
    {"hard_silu", [](const Tensor& x) { return hard_silu(x); }},
    {"hard_swish", [](const Tensor& x) { return hard_silu(x); }},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }},
    {"exponential", [](const Tensor& x) { return kiln::exp(x); }},
    {"mish", [](const Tensor& x) { return mish(x); }},
}};

const NamedActivation* find_activation(const std::string& name) {
  for (const auto& a : activations) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> activation_names() {
  std::vector<std::string> names;
  for (const auto& a : activations) names.emplace_back(a.name);
  return names;
}

void check_activation_name(const std::string& name) {
  if (find_activation(name)) return;
  std::string known;
  for (const auto& a : activations) known += (known.empty() ? "" : ", ") + std::string(a.name);
  throw Error("unknown activation '" + name + "' (known: " + known + ")");
}

Tensor activate(const std::string& name, const Tensor& x) {
  if (const NamedActivation* a = find_activation(name)) return a->apply(x);
  check_activation_name(name);  // throws
  return x;
}

}  // namespace kiln
