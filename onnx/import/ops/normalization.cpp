// LayerNormalization (opset 17) on kiln's fused layer_norm, the trailing
// axes from `axis` on joined into one row; BatchNormalization as inference
// (training_mode 0): (x - mean) / sqrt(var + epsilon) * scale + B per
// channel (axis 1), composed from kiln's ops so that scale and B, and the
// statistics too, are differentiable weights of the imported model.

#include "ops/arithmetic.hpp"
#include "ops/layer_norm.hpp"
#include "ops/powers.hpp"
#include "ops/reshape.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

std::vector<Value> layer_normalization_op(const OpCall& c) {
  const Tensor& x = c.tensor(0);
  const Shape shape = x.shape();
  const std::size_t axis = c.axis(c.int_attribute("axis", -1), shape.size());
  if (c.int_attribute("stash_type", 1) != 1) c.fail("only stash_type 1 (float32 statistics) is supported");
  std::size_t row = 1;
  for (std::size_t i = axis; i < shape.size(); ++i) row *= shape[i];
  const auto as_row = [&](std::size_t input) { return c.has_input(input) ? reshaped(c.tensor(input), {row}) : Tensor(); };
  const LayerNormOptions options{.epsilon = c.float_attribute("epsilon", 1e-5f)};
  const Tensor y = layer_norm(reshaped(x, {x.value().size() / row, row}), as_row(1), as_row(2), options);
  return {Value::of(reshaped(y, shape))};
}

std::vector<Value> batch_normalization_op(const OpCall& c) {
  if (c.int_attribute("training_mode", 0) != 0) c.fail("training_mode=1 is not supported (inference only)");
  const Tensor& x = c.tensor(0);
  if (x.shape().size() < 2) c.fail("the input needs a channel axis 1, got " + to_string(x.shape()));
  // Per-channel values shaped (C, 1, ...) to broadcast over axis 1.
  Shape channel{x.shape(1)};
  for (std::size_t i = 2; i < x.shape().size(); ++i) channel.push_back(1);
  const auto per_channel = [&](std::size_t input) { return reshaped(c.tensor(input), channel); };
  const Tensor inverse = rsqrt(per_channel(4) + c.float_attribute("epsilon", 1e-5f)) * per_channel(1);
  return {Value::of((x - per_channel(3)) * inverse + per_channel(2))};
}

}  // namespace

void add_normalization_ops(std::map<std::string, OpHandler>& ops) {
  ops["LayerNormalization"] = layer_normalization_op;
  ops["BatchNormalization"] = batch_normalization_op;
}

}  // namespace kiln::onnx_import
