#pragma once
// Layer normalization over the last axis, fused: one pass over each row
// forward (moments, normalise, scale, shift) and one back, instead of the
// eight broadcast ops the formula takes composed, each a full-size temporary.

#include "graph/tensor.hpp"

namespace kiln {

struct LayerNormOptions {
  float epsilon = 1e-3f;  // Keras' default
  // Keras 3's rms_scaling: y = x / sqrt(mean(x^2) + epsilon) * gamma, no
  // centring and no beta.
  bool rms = false;
};

// x (..., n), normalised along its last axis; gamma and beta hold n elements
// each (shape (n), or any shape of n elements, which their gradients keep);
// either may be undefined (scale 1, shift 0):
//     mean = sum(x) / n,  var = sum((x - mean)^2) / n
//     y = (x - mean) / sqrt(var + epsilon) * gamma + beta
// Throws ShapeError naming x's shape and gamma's (or beta's) when their
// sizes disagree, or when beta is given with rms.
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, LayerNormOptions options = {});

}  // namespace kiln
