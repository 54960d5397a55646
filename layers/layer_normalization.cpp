#include "layers/layer_normalization.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ops/layer_norm.hpp"
#include "ops/reshape.hpp"

namespace kiln {

LayerNormalizationLayer::LayerNormalizationLayer(Options options) : KerasLayer(std::move(options)) {
  if (options_.axis.empty()) throw Error(describe() + ": axis must name at least one axis");
  if (!(options_.epsilon > 0.0f)) throw Error(describe() + ": epsilon must be positive");
  set_supports_masking(true);
}

std::size_t LayerNormalizationLayer::normalized_axes(std::size_t rank) const {
  std::vector<std::size_t> axes;
  for (const int a : options_.axis) {
    const long axis = a < 0 ? long(rank) + a : a;
    if (axis < 1 || axis >= long(rank)) {
      fail("axis " + std::to_string(a) + " is out of range for a rank-" + std::to_string(rank) +
           " input (the batch axis cannot be normalised)");
    }
    axes.push_back(std::size_t(axis));
  }
  std::sort(axes.begin(), axes.end());
  for (std::size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] != rank - axes.size() + i) {
      fail("kiln normalises the last axes only; axis " + nlohmann::json(options_.axis).dump() +
           " of a rank-" + std::to_string(rank) + " input are not the trailing ones");
    }
  }
  return axes.size();
}

void LayerNormalizationLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, ..., features)");
  if (shapes[0].size() < 2) fail("expected an input (batch, ..., features), got " + to_string(shapes[0]));
  const std::size_t count = normalized_axes(shapes[0].size());
  for (std::size_t i = shapes[0].size() - count; i < shapes[0].size(); ++i) {
    if (shapes[0][i] == unknown_dim) fail("the normalised axes must be known to build, got " + to_string(shapes[0]));
  }
}

void LayerNormalizationLayer::build(const std::vector<PartialShape>& shapes) {
  const PartialShape& in = shapes[0];
  Shape weight_shape;
  for (std::size_t i = in.size() - normalized_axes(in.size()); i < in.size(); ++i) weight_shape.push_back(std::size_t(in[i]));
  if (options_.scale || options_.rms_scaling) {
    gamma_ = add_weight("gamma", weight_shape, options_.gamma_initializer.make());
  }
  if (options_.center && !options_.rms_scaling) {
    beta_ = add_weight("beta", weight_shape, options_.beta_initializer.make());
  }
}

std::vector<PartialShape> LayerNormalizationLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

std::vector<Tensor> LayerNormalizationLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const Tensor& x = inputs[0];
  const LayerNormOptions o{.epsilon = options_.epsilon, .rms = options_.rms_scaling};
  const std::size_t count = normalized_axes(x.ndim());
  if (count == 1) return {layer_norm(x, gamma_, beta_, o)};
  // Several trailing axes: one row per sample of their product's length.
  std::size_t row = 1;
  for (std::size_t i = x.ndim() - count; i < x.ndim(); ++i) row *= x.shape(i);
  const Tensor y = layer_norm(reshape(x, {-1, long(row)}), gamma_, beta_, o);
  return {reshape(y, x.shape())};
}

}  // namespace kiln
