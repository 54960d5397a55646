#include "layers/dense.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation.hpp"
#include "ops/linear.hpp"

namespace kiln {

DenseLayer::DenseLayer(Options options) : KerasLayer(std::move(options)) {
  if (options_.units == 0) throw Error(describe() + ": units must be positive");
  check_activation_name(options_.activation);
  set_supports_masking(true);
}

void DenseLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, ..., features)");
  if (shapes[0].size() < 2) fail("expected input (batch, ..., features) of rank 2 or more, got " + to_string(shapes[0]));
}

void DenseLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t features = known_last_dim(shapes[0]);
  kernel_ = add_weight("kernel", {features, options_.units}, options_.kernel_initializer.make());
  if (options_.use_bias) {
    bias_ = add_weight("bias", {options_.units}, options_.bias_initializer.make());
  }
}

std::vector<PartialShape> DenseLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  PartialShape out = shapes.at(0);
  out.back() = std::int64_t(options_.units);
  return {out};
}

std::vector<Tensor> DenseLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  // The affine part is one fused op (GEMM and bias, the leading axes folded),
  // which applies a ReLU too; any other activation follows it.
  const bool relu = options_.activation == "relu";
  Tensor y = linear(inputs[0], kernel_, bias_, relu);
  if (relu || options_.activation == "linear") return {y};
  return {activate(options_.activation, y)};
}

}  // namespace kiln
