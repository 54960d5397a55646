#pragma once
// Binary cross-entropy element by element, as Keras' backends compute it
// (ops.binary_crossentropy): one value per element of the input, no
// reduction (training/losses.hpp averages and weighs them).
//
// Throws ShapeError naming the op and both shapes when targets and the
// input differ in shape.

#include "graph/tensor.hpp"

namespace kiln {

// From logits x and targets z in [0, 1]:
//   l = max(x, 0) - x z + log(1 + exp(-|x|))
// (TensorFlow's sigmoid_cross_entropy_with_logits: no exp overflows, exact
// for logits of any size).
Tensor sigmoid_cross_entropy(const Tensor& logits, const Array& targets);

// From probabilities p, clipped to [1e-7, 1 - 1e-7] as Keras does:
//   l = -(z log p + (1 - z) log(1 - p))
// The gradient is 0 where p was clipped (bounds included, as clip()).
Tensor binary_cross_entropy(const Tensor& probs, const Array& targets);

}  // namespace kiln
