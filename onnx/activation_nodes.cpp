// Every activation kiln names (layers/activation.hpp) as ONNX nodes of
// opset 17, with kiln's formulas (ops/activations.hpp): ONNX's own operator
// where one computes the same function with the same constants, otherwise
// the formula from elementary operators (opset 17 has no Gelu or Mish).

#include <cmath>
#include <functional>
#include <map>

#include "onnx/exporter.hpp"

namespace kiln::onnx_export {

namespace {

using Writer = std::function<std::string(GraphBuilder&, const std::string&, const std::string&)>;

Writer op(const std::string& type, std::vector<Attribute> attributes = {}) {
  return [type, attributes](GraphBuilder& g, const std::string& x, const std::string& p) {
    return g.node1(type, {x}, p + "/" + type, attributes);
  };
}

// x f(x), for silu (f = sigmoid).
std::string times_x(GraphBuilder& g, const std::string& x, const std::string& fx, const std::string& p) {
  return g.node1("Mul", {x, fx}, p);
}

// 0.5 x (1 + erf(x / sqrt(2))): Keras' default (exact) gelu.
std::string gelu(GraphBuilder& g, const std::string& x, const std::string& p) {
  const std::string scaled = g.node1("Mul", {x, g.scalar(p + "/sqrt_half", 0.70710678118654752f)}, p + "/scaled");
  const std::string erf = g.node1("Erf", {scaled}, p + "/Erf");
  const std::string one_plus = g.node1("Add", {erf, g.scalar(p + "/one", 1.0f)}, p + "/one_plus");
  const std::string half_x = g.node1("Mul", {x, g.scalar(p + "/half", 0.5f)}, p + "/half_x");
  return g.node1("Mul", {half_x, one_plus}, p + "/gelu");
}

const std::map<std::string, Writer>& writers() {
  static const std::map<std::string, Writer> table = {
      {"relu", op("Relu")},
      {"tanh", op("Tanh")},
      {"sigmoid", op("Sigmoid")},
      {"softmax", op("Softmax", {int_attribute("axis", -1)})},
      {"log_softmax", op("LogSoftmax", {int_attribute("axis", -1)})},
      {"elu", op("Elu", {float_attribute("alpha", 1.0f)})},
      // Keras' constants, which are ONNX's defaults too, written out.
      {"selu", op("Selu", {float_attribute("alpha", 1.6732632423543772f), float_attribute("gamma", 1.0507009873554805f)})},
      {"softplus", op("Softplus")},
      {"softsign", op("Softsign")},
      {"silu", [](GraphBuilder& g, const std::string& x, const std::string& p) {
         return times_x(g, x, g.node1("Sigmoid", {x}, p + "/Sigmoid"), p + "/silu");
       }},
      {"gelu", gelu},
      {"relu6", [](GraphBuilder& g, const std::string& x, const std::string& p) {
         return g.node1("Clip", {x, g.scalar(p + "/min", 0.0f), g.scalar(p + "/max", 6.0f)}, p + "/relu6");
       }},
      // Keras 3's relu6(x + 3) / 6 is ONNX's max(0, min(1, x / 6 + 0.5)).
      {"hard_sigmoid", op("HardSigmoid", {float_attribute("alpha", 1.0f / 6.0f), float_attribute("beta", 0.5f)})},
      {"hard_silu", op("HardSwish")},
      {"leaky_relu", op("LeakyRelu", {float_attribute("alpha", 0.2f)})},
      {"exponential", op("Exp")},
      {"mish", [](GraphBuilder& g, const std::string& x, const std::string& p) {
         const std::string softplus = g.node1("Softplus", {x}, p + "/Softplus");
         return times_x(g, x, g.node1("Tanh", {softplus}, p + "/Tanh"), p + "/mish");
       }},
  };
  return table;
}

}  // namespace

std::string apply_activation(GraphBuilder& g, const std::string& activation, const std::string& x,
                             const std::string& prefix) {
  if (activation == "linear") return x;
  const std::string name = activation == "swish" ? "silu" : activation == "hard_swish" ? "hard_silu" : activation;
  const auto it = writers().find(name);
  if (it == writers().end()) throw Error("activation '" + activation + "' has no ONNX export");
  return it->second(g, x, prefix);
}

}  // namespace kiln::onnx_export
