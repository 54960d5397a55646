#include "layers/dense.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation.hpp"
#include "layers/registry.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"

namespace kiln {

DenseLayer::DenseLayer(Options options) : Layer("Dense", options.name), options_(std::move(options)) {
  if (options_.units == 0) throw Error(describe() + ": units must be positive");
  check_activation_name(options_.activation);
  set_supports_masking(true);
}

void DenseLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, features) or (batch, time, features)");
  if (shapes[0].size() != 2 && shapes[0].size() != 3) {
    fail("expected input (batch, features) or (batch, time, features), got " + to_string(shapes[0]));
  }
}

void DenseLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t features = known_last_dim(shapes[0]);
  kernel_ = add_weight("kernel", {features, options_.units}, initializers::by_name(options_.kernel_initializer));
  if (options_.use_bias) {
    bias_ = add_weight("bias", {options_.units}, initializers::by_name(options_.bias_initializer));
  }
}

std::vector<PartialShape> DenseLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  PartialShape out = shapes.at(0);
  out.back() = std::int64_t(options_.units);
  return {out};
}

std::vector<Tensor> DenseLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  Tensor y = matmul(inputs[0], kernel_);  // 3-D input: one GEMM over batch * time
  if (options_.use_bias) y = y + bias_;
  return {activate(options_.activation, y)};
}

nlohmann::json DenseLayer::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["units"] = options_.units;
  config["activation"] = options_.activation;
  config["use_bias"] = options_.use_bias;
  config["kernel_initializer"] = options_.kernel_initializer;
  config["bias_initializer"] = options_.bias_initializer;
  return config;
}

DenseLayer::Options DenseLayer::options_from_config(const nlohmann::json& config) {
  Options o;
  o.units = config_size(config, "units", o.units);
  o.activation = config.value("activation", o.activation);
  o.use_bias = config.value("use_bias", o.use_bias);
  o.kernel_initializer = config.value("kernel_initializer", o.kernel_initializer);
  o.bias_initializer = config.value("bias_initializer", o.bias_initializer);
  o.name = config.value("name", o.name);
  return o;
}

}  // namespace kiln
