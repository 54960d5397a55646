#include "layers/global_pooling.hpp"

#include "layers/spatial_options.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "ops/reshape.hpp"

namespace kiln {

GlobalPoolingOptions checked_global_pooling_options(GlobalPoolingOptions o, const std::string& class_name) {
  check_channels_last(o.data_format, layer_label(class_name, o.name));
  return o;
}

BaseGlobalPoolingLayer::BaseGlobalPoolingLayer(std::string class_name, std::string name, std::size_t rank, bool max)
    : Layer(std::move(class_name), std::move(name)), rank_(rank), max_(max) {
  // Only GlobalAveragePooling1D reads a mask (Keras 3); none passes one on.
  set_supports_masking(rank == 1 && !max);
}

void BaseGlobalPoolingLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, rank_ + 2, rank_ == 1 ? "(batch, steps, channels)" : "(batch, height, width, channels)");
}

std::vector<PartialShape> BaseGlobalPoolingLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& in = shapes.at(0);
  if (!global_pooling_options().keepdims) return {{in.front(), in.back()}};
  PartialShape out(in.size(), 1);
  out.front() = in.front();
  out.back() = in.back();
  return {out};
}

// Keras 3: sum(where(mask, x, 0)) / sum(mask) over the steps.
Tensor BaseGlobalPoolingLayer::masked_average(const Tensor& x, const Array& mask) const {
  const Shape& s = x.shape();
  if (mask.dimension() != 2 || mask.shape(0) != s[0] || mask.shape(1) != s[1]) {
    fail("the mask " + to_string(mask.shape()) + " does not match the input " + to_string(s) +
         " (expected (batch, steps))");
  }
  Array kept = Array::from_shape({s[0], s[1], 1});
  for (std::size_t i = 0; i < mask.size(); ++i) kept.data()[i] = mask.data()[i] != 0.0f ? 1.0f : 0.0f;
  const Tensor weights(std::move(kept));
  const bool keepdims = global_pooling_options().keepdims;
  return sum(x * weights, 1, keepdims) / sum(weights, 1, keepdims);
}

std::vector<Tensor> BaseGlobalPoolingLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Tensor& x = inputs[0];
  const bool keepdims = global_pooling_options().keepdims;
  if (rank_ == 1 && !max_ && context.mask(0)) return {masked_average(x, *context.mask(0))};
  // The spatial axes as one: (batch, cells, channels).
  const Tensor cells = rank_ == 1 ? x : reshape(x, {long(x.shape(0)), -1, long(x.shape(3))});
  Tensor y = max_ ? max(cells, 1, keepdims) : mean(cells, 1, keepdims);
  if (keepdims && rank_ == 2) y = reshape(y, Shape{x.shape(0), 1, 1, x.shape(3)});
  return {y};
}

}  // namespace kiln
