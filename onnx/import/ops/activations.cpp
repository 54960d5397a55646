// The activation operators kiln's exports write (onnx/activation_nodes.cpp)
// and their kin, on kiln's activations: Elu, Selu, Softplus, Softsign,
// HardSigmoid, HardSwish, LeakyRelu, Clip, Erf, Sqrt and Reciprocal, and
// Sin and Cos of constants. An
// operator whose attributes are kiln's constants runs kiln's own function
// (so an import computes what the exported layer did); other attribute
// values are composed from the same primitives.

#include <cmath>
#include <limits>

#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/clip.hpp"
#include "ops/minimum_maximum.hpp"
#include "ops/powers.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

constexpr float selu_alpha = 1.6732632423543772f;  // Keras' (and ONNX's default) constants
constexpr float selu_gamma = 1.0507009873554805f;

std::vector<Value> selu_op(const OpCall& c) {
  const float alpha = c.float_attribute("alpha", selu_alpha), gamma = c.float_attribute("gamma", selu_gamma);
  if (alpha == selu_alpha && gamma == selu_gamma) return {Value::of(selu(c.tensor(0)))};
  return {Value::of(elu(c.tensor(0), alpha) * gamma)};
}

// max(0, min(1, alpha x + beta)); Keras 3's hard_sigmoid is alpha 1/6, beta 0.5.
std::vector<Value> hard_sigmoid_op(const OpCall& c) {
  const float alpha = c.float_attribute("alpha", 0.2f), beta = c.float_attribute("beta", 0.5f);
  if (alpha == 1.0f / 6.0f && beta == 0.5f) return {Value::of(hard_sigmoid(c.tensor(0)))};
  return {Value::of(clip(c.tensor(0) * alpha + beta, 0.0f, 1.0f))};
}

// A scalar bound given as an optional input.
std::optional<float> bound(const OpCall& c, std::size_t input) {
  if (!c.has_input(input)) return std::nullopt;
  const Tensor b = as_tensor(c.input(input));
  if (b.value().size() != 1) c.fail("the bounds must be scalars");
  return b.value().data()[0];
}

std::vector<Value> clip_op(const OpCall& c) {
  const Tensor& x = c.tensor(0);
  const auto lo = bound(c, 1), hi = bound(c, 2);
  if (lo && hi) return {Value::of(clip(x, *lo, *hi))};
  if (lo) return {Value::of(maximum(x, *lo))};
  if (hi) return {Value::of(minimum(x, *hi))};
  return {Value::of(x)};
}

// Sin and Cos of constants (the position encodings of kiln's exports read
// only the input's shape): kiln has no differentiable sine, so a value that
// needs a gradient is an error naming the node.
OpHandler constant_wave(float (*f)(float)) {
  return [f](const OpCall& c) -> std::vector<Value> {
    const Tensor& x = c.tensor(0);
    if (x.requires_grad()) c.fail("kiln imports Sin and Cos of constants only; this input depends on the weights");
    Array y = x.value();
    for (float& v : y) v = f(v);
    return {Value::of(Tensor(std::move(y)))};
  };
}

}  // namespace

void add_activation_ops(std::map<std::string, OpHandler>& ops) {
  ops["Elu"] = [](const OpCall& c) -> std::vector<Value> {
    return {Value::of(elu(c.tensor(0), c.float_attribute("alpha", 1.0f)))};
  };
  ops["Selu"] = selu_op;
  ops["Softplus"] = unary(&softplus);
  ops["Softsign"] = unary(&softsign);
  ops["HardSigmoid"] = hard_sigmoid_op;
  ops["HardSwish"] = unary(&hard_silu);  // x max(0, min(1, x / 6 + 0.5)): Keras 3's hard_silu
  ops["LeakyRelu"] = [](const OpCall& c) -> std::vector<Value> {
    return {Value::of(leaky_relu(c.tensor(0), c.float_attribute("alpha", 0.01f)))};
  };
  ops["Clip"] = clip_op;
  ops["Erf"] = unary(&kiln::erf);
  ops["Sqrt"] = unary(&kiln::sqrt);
  ops["Sin"] = constant_wave([](float v) { return std::sin(v); });
  ops["Cos"] = constant_wave([](float v) { return std::cos(v); });
  ops["Reciprocal"] = [](const OpCall& c) -> std::vector<Value> { return {Value::of(1.0f / c.tensor(0))}; };
}

}  // namespace kiln::onnx_import
