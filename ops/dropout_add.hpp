#pragma once
// residual + dropout(x) in one pass: the residual connection of a
// Transformer block (x = dropout(sublayer(x)) + x), which composed from
// dropout and add writes a mask, a dropped copy and the sum.

#include <random>

#include "graph/tensor.hpp"

namespace kiln {

// x + residual when not training (or rate 0); when training each element
// of x is kept with probability 1 - rate and scaled by 1 / (1 - rate), the
// keep/drop draws from a stream seeded by one draw of `rng`
// (ops/dropout_stream.hpp). x and residual must have one shape (ShapeError
// naming both otherwise); rate must be in [0, 1) (kiln::Error).
Tensor dropout_add(const Tensor& x, const Tensor& residual, float rate, bool training, std::mt19937_64& rng);

}  // namespace kiln
