#include "layers/batch_normalization.hpp"

#include <numeric>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "ops/arithmetic.hpp"
#include "ops/dropout.hpp"
#include "ops/powers.hpp"
#include "ops/reductions.hpp"
#include "ops/reshape.hpp"

namespace kiln {

namespace {

// Keras' backend epsilon, which its masked moments add to the count.
constexpr float count_epsilon = 1e-7f;

// sum (or mean) of x over every axis but `axis`, keeping them as 1s.
Tensor reduce_others(const Tensor& x, std::size_t axis, bool average) {
  Tensor out = x;
  for (std::size_t i = 0; i < x.ndim(); ++i) {
    if (i != axis) out = average ? mean(out, int(i), true) : sum(out, int(i), true);
  }
  return out;
}

// A per-feature vector (C) shaped (1, .., C, .., 1) to broadcast along `axis` of a rank-`rank` input.
Tensor along_axis(const Tensor& v, std::size_t axis, std::size_t rank) {
  Shape shape(rank, 1);
  shape[axis] = v.size();
  return reshape(v, shape);
}

}  // namespace

BatchNormalizationLayer::BatchNormalizationLayer(Options options) : KerasLayer(std::move(options)) {
  std::ostringstream problem;
  if (options_.epsilon < 0.0f) problem << "epsilon must be >= 0, got " << options_.epsilon;
  if (options_.momentum < 0.0f || options_.momentum > 1.0f) problem << "momentum must be in [0, 1], got " << options_.momentum;
  if (options_.synchronized) problem << "synchronized=true (cross-replica batch statistics) is not supported";
  if (!problem.str().empty()) throw Error(describe() + ": " + problem.str());
  set_supports_masking(true);
}

std::size_t BatchNormalizationLayer::axis_for(std::size_t rank) const {
  const long axis = options_.axis < 0 ? long(rank) + options_.axis : options_.axis;
  return axis >= 0 && axis < long(rank) ? std::size_t(axis) : std::size_t(-1);
}

void BatchNormalizationLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, ..., features)");
  if (shapes[0].size() < 2) fail("expected input (batch, ..., features) of rank 2 or more, got " + to_string(shapes[0]));
  const std::size_t axis = axis_for(shapes[0].size());
  if (axis == std::size_t(-1) || axis == 0) {
    fail("axis " + std::to_string(options_.axis) + " is out of range or the batch axis for input " + to_string(shapes[0]));
  }
  if (shapes[0][axis] == unknown_dim) {
    fail("axis " + std::to_string(options_.axis) + " of the input must be known to build the weights, got " +
         to_string(shapes[0]));
  }
}

void BatchNormalizationLayer::build(const std::vector<PartialShape>& shapes) {
  const Shape features{std::size_t(shapes[0][axis_for(shapes[0].size())])};
  if (options_.scale) gamma_ = add_weight("gamma", features, options_.gamma_initializer.make());
  if (options_.center) beta_ = add_weight("beta", features, options_.beta_initializer.make());
  moving_mean_ = add_weight("moving_mean", features, options_.moving_mean_initializer.make(), false);
  moving_variance_ = add_weight("moving_variance", features, options_.moving_variance_initializer.make(), false);
}

// The rank may not change (Keras' InputSpec(ndim)), nor the normalized axis's size.
void BatchNormalizationLayer::check_compatible(const std::vector<PartialShape>& shapes) const {
  const PartialShape& was = built_input_shapes().at(0);
  const PartialShape& now = shapes.at(0);
  const std::size_t axis = axis_for(was.size());
  if (now.size() != was.size() || (now[axis] != unknown_dim && now[axis] != was[axis])) {
    fail("was built for inputs " + to_string(was) + " and cannot be called on " + to_string(now));
  }
}

std::vector<PartialShape> BatchNormalizationLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

std::pair<Tensor, Tensor> BatchNormalizationLayer::batch_moments(const Tensor& x, std::size_t axis,
                                                                 const Array* mask) const {
  if (!mask) {
    Tensor mean = reduce_others(x, axis, true);
    Tensor centered = x - mean;
    return {mean, reduce_others(centered * centered, axis, true)};
  }
  Shape per_step(x.shape().begin(), x.shape().end() - 1);
  if (axis + 1 != x.ndim()) fail("a mask needs axis -1 (the features last), got axis " + std::to_string(options_.axis));
  if (mask->shape() != per_step) {
    fail("the mask " + to_string(mask->shape()) + " of input " + to_string(x.shape()) +
         " must cover every axis but the last");
  }
  per_step.push_back(1);
  Array weights = *mask;
  weights.reshape(per_step);
  const float count = std::accumulate(mask->begin(), mask->end(), 0.0f) + count_epsilon;
  Tensor weighted = mask_multiply(x, weights);
  Tensor mean = reduce_others(weighted, axis, false) / count;
  Tensor deviation = weighted - mean;  // Keras' formula: masked steps contribute (0 - mean), weighted by 0 below
  return {mean, reduce_others(mask_multiply(deviation * deviation, weights), axis, false) / count};
}

void BatchNormalizationLayer::update_moving(const Array& mean, const Array& variance) {
  const float momentum = options_.momentum;
  Array& moving_mean = moving_mean_.mutable_value();
  Array& moving_variance = moving_variance_.mutable_value();
  for (std::size_t i = 0; i < moving_mean.size(); ++i) {
    moving_mean.data()[i] = moving_mean.data()[i] * momentum + mean.data()[i] * (1.0f - momentum);
    moving_variance.data()[i] = moving_variance.data()[i] * momentum + variance.data()[i] * (1.0f - momentum);
  }
}

// Keras' ops.batch_normalization: x * inv + (beta - mean * inv), inv = gamma / sqrt(variance + epsilon).
std::vector<Tensor> BatchNormalizationLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Tensor& x = inputs[0];
  const std::size_t axis = axis_for(x.ndim());
  Tensor mean, variance;
  if (context.training && trainable()) {
    std::tie(mean, variance) = batch_moments(x, axis, context.mask(0));
    // Read off the values: the moving statistics are state, never differentiated.
    update_moving(mean.value(), variance.value());
  } else {
    // Copies: a later training call updates the moving statistics in place,
    // which must not change what this call's backward reads.
    mean = along_axis(Tensor(moving_mean_.value()), axis, x.ndim());
    variance = along_axis(Tensor(moving_variance_.value()), axis, x.ndim());
  }
  Tensor inv = rsqrt(variance + options_.epsilon);
  if (options_.scale) inv = inv * along_axis(gamma_, axis, x.ndim());
  Tensor shift = -(mean * inv);
  if (options_.center) shift = shift + along_axis(beta_, axis, x.ndim());
  return {x * inv + shift};
}

}  // namespace kiln
