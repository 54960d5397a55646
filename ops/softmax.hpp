#pragma once
// softmax and log_softmax along one axis, numerically stable: the maximum
// along the axis is subtracted before exponentiating, so logits of 1e4 are
// as safe as logits of 1.

#include "graph/tensor.hpp"

namespace kiln {

// y = exp(x - max) / sum(exp(x - max)) along `axis` (negative counts from
// the end). Same shape as x. Throws ShapeError for an axis out of range.
Tensor softmax(const Tensor& x, int axis = -1);

// y = x - max - log(sum(exp(x - max))) along `axis`: log(softmax(x)) without
// the underflow of taking log of a tiny probability.
Tensor log_softmax(const Tensor& x, int axis = -1);

}  // namespace kiln
