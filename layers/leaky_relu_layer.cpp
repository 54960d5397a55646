#include "layers/leaky_relu_layer.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

#include "ops/activations.hpp"

namespace kiln {

LeakyReLULayer::LeakyReLULayer(Options options) : KerasLayer(std::move(options)) {
  if (options_.negative_slope < 0.0f) {
    std::ostringstream message;
    message << describe() << ": negative_slope cannot be negative, got " << options_.negative_slope;
    throw Error(message.str());
  }
  set_supports_masking(true);
}

LeakyReLULayer::Options LeakyReLULayer::options_from_config(const nlohmann::json& config) {
  Options options = config::read_options<Options>(config, keras_name, {"alpha"});
  if (config.is_object() && config.contains("alpha")) {
    if (config.contains("negative_slope")) {
      throw FormatError("LeakyReLU: the config gives both 'alpha' (Keras 2's name) and 'negative_slope'");
    }
    options.negative_slope = config::Value<float>::read(config.at("alpha"), "LeakyReLU: 'alpha'");
  }
  return options;
}

void LeakyReLULayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(a tensor of any shape)");
}

void LeakyReLULayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> LeakyReLULayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

std::vector<Tensor> LeakyReLULayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  return {leaky_relu(inputs[0], options_.negative_slope)};
}

}  // namespace kiln
