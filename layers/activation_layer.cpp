#include "layers/activation_layer.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation.hpp"

namespace kiln {

ActivationLayer::ActivationLayer(Options options) : KerasLayer(std::move(options)) {
  try {
    check_activation_name(options_.activation);
  } catch (const Error& e) {
    throw Error(describe() + ": " + e.what());
  }
  set_supports_masking(true);
}

void ActivationLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(a tensor of any shape)");
  if (options_.activation == "softmax" && shapes[0].empty()) fail("softmax needs an axis, got a scalar input ()");
}

void ActivationLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> ActivationLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

std::vector<Tensor> ActivationLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  return {activate(options_.activation, inputs[0])};
}

}  // namespace kiln
