#include "ops/binary_cross_entropy.hpp"

#include <cmath>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/elementwise.hpp"
#include "ops/keras_epsilon.hpp"

namespace kiln {

namespace {

void check_targets(const char* op, const Tensor& input, const Array& targets) {
  if (input.shape() != targets.shape()) {
    throw_shape_error(op, "input and targets differ in shape:", input.shape(), targets.shape());
  }
}

}  // namespace

// d l / d x = g (sigmoid(x) - z)
Tensor sigmoid_cross_entropy(const Tensor& logits, const Array& targets) {
  check_targets("sigmoid_cross_entropy", logits, targets);
  Array l = elementwise::map(logits.value(), targets, [](float x, float z) {
    return std::fmax(x, 0.0f) - x * z + std::log1p(std::exp(-std::fabs(x)));
  });
  return record(std::move(l), {logits}, [gx = logits.grad_ref(), x = logits.shared_value(), targets](const Array& g) {
    accumulate_grad(gx, elementwise::map(g, *x, targets, [](float g, float x, float z) {
      return g * (1.0f / (1.0f + std::exp(-x)) - z);
    }));
  });
}

// d l / d p = g ((1 - z) / (1 - p) - z / p) where kEps < p < 1 - kEps, 0 elsewhere
Tensor binary_cross_entropy(const Tensor& probs, const Array& targets) {
  check_targets("binary_cross_entropy", probs, targets);
  constexpr float lo = keras_epsilon, hi = 1.0f - keras_epsilon;
  Array l = elementwise::map(probs.value(), targets, [](float p, float z) {
    const float q = std::fmin(std::fmax(p, lo), hi);
    return -(z * std::log(q) + (1.0f - z) * std::log(1.0f - q));
  });
  return record(std::move(l), {probs}, [gp = probs.grad_ref(), p = probs.shared_value(), targets](const Array& g) {
    accumulate_grad(gp, elementwise::map(g, *p, targets, [](float g, float p, float z) {
      return p > lo && p < hi ? g * ((1.0f - z) / (1.0f - p) - z / p) : 0.0f;
    }));
  });
}

}  // namespace kiln
