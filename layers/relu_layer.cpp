#include "layers/relu_layer.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/comparisons.hpp"
#include "ops/minimum_maximum.hpp"

namespace kiln {

namespace {

std::string number(float v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

ReLULayer::ReLULayer(Options options) : KerasLayer(std::move(options)) {
  const auto& o = options_;
  if (o.max_value && *o.max_value < 0.0f) {
    throw Error(describe() + ": max_value cannot be negative, got " + number(*o.max_value));
  }
  if (o.negative_slope < 0.0f) throw Error(describe() + ": negative_slope cannot be negative, got " + number(o.negative_slope));
  if (o.threshold < 0.0f) throw Error(describe() + ": threshold cannot be negative, got " + number(o.threshold));
  set_supports_masking(true);
}

void ReLULayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(a tensor of any shape)");
}

void ReLULayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> ReLULayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

// Keras 3's composition (ReLU.static_call), so the gradients at the kinks
// are TensorFlow's: the part above the threshold clipped to [0, max_value],
// minus negative_slope times the part below it.
std::vector<Tensor> ReLULayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const Tensor& x = inputs[0];
  const auto& o = options_;
  if (o.negative_slope != 0.0f && !o.max_value && o.threshold == 0.0f) return {leaky_relu(x, o.negative_slope)};
  Tensor y = o.threshold != 0.0f ? x * greater(x, o.threshold) : relu(x);
  if (o.max_value) y = minimum(y, *o.max_value);  // y >= 0 already
  if (o.negative_slope != 0.0f) y = y - relu(o.threshold - x) * o.negative_slope;
  return {y};
}

}  // namespace kiln
