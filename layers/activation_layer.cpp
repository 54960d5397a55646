#include "layers/activation_layer.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation.hpp"
#include "layers/registry.hpp"

namespace kiln {

ActivationLayer::ActivationLayer(Options options) : Layer("Activation", options.name), options_(std::move(options)) {
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

nlohmann::json ActivationLayer::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["activation"] = options_.activation;
  return config;
}

ActivationLayer::Options ActivationLayer::options_from_config(const nlohmann::json& config) {
  Options o;
  o.activation = config.value("activation", o.activation);
  o.name = config.value("name", o.name);
  return o;
}

}  // namespace kiln
