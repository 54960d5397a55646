#pragma once
// Multiplying by a constant mask, and inverted dropout built on it.

#include <random>

#include "graph/tensor.hpp"

namespace kiln {

// y = x * mask, where mask is a constant (0/1 or any weights) that needs no
// gradient. mask must broadcast to x's shape (a (3, 1) mask over (2, 3, 4)
// input), the result has x's shape. Throws ShapeError naming both shapes
// otherwise. The mask is kept for backward (moved in when passed an rvalue).
Tensor mask_multiply(const Tensor& x, Array mask);

// Inverted dropout, as Keras' Dropout layer: when training, each element is
// zeroed with probability `rate` and the kept ones are scaled by
// 1 / (1 - rate), so the expected value is unchanged and inference needs no
// rescaling. Returns x itself when !training or rate == 0. The mask is drawn
// from `rng` alone: the same seed gives the same mask. Throws kiln::Error
// when rate is outside [0, 1).
Tensor dropout(const Tensor& x, float rate, bool training, std::mt19937_64& rng);

}  // namespace kiln
