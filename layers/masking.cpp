#include "layers/masking.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ops/dropout.hpp"

namespace kiln {

MaskingLayer::MaskingLayer(Options options) : KerasLayer(std::move(options)) { set_supports_masking(true); }

void MaskingLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, ..., features)");
  if (shapes[0].size() < 2) fail("expected input (batch, ..., features) of rank 2 or more, got " + to_string(shapes[0]));
}

void MaskingLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> MaskingLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

Array MaskingLayer::kept_steps(const Array& x) const {
  const Shape& shape = x.shape();
  const std::size_t width = shape.back();
  Array kept = Array::from_shape(Shape(shape.begin(), shape.end() - 1));
  const float* row = x.data();
  const float value = options_.mask_value;
  for (std::size_t i = 0; i < kept.size(); ++i, row += width) {
    kept.data()[i] = std::any_of(row, row + width, [value](float v) { return v != value; }) ? 1.0f : 0.0f;
  }
  return kept;
}

std::vector<Mask> MaskingLayer::compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>&) const {
  return {std::make_shared<const Array>(kept_steps(inputs.at(0).value()))};
}

std::vector<Tensor> MaskingLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const Tensor& x = inputs[0];
  auto kept = std::make_shared<const Array>(kept_steps(x.value()));
  Shape per_step = kept->shape();
  per_step.push_back(1);
  Array zeroing = *kept;
  zeroing.reshape(per_step);
  return {mask_multiply(x, std::move(zeroing)).with_mask(std::move(kept))};
}

}  // namespace kiln
