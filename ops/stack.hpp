#pragma once
// Stacking equal-shaped tensors along a new axis, and the inverse. RNNs use
// these along time (axis 1) to split a (batch, time, features) sequence into
// steps and to gather per-step outputs back into a sequence.

#include <vector>

#include "graph/tensor.hpp"

namespace kiln {

// n tensors of shape s -> s with a new axis of length n inserted at `axis`
// (negative counts from the end of the result: -1 appends a last axis).
// ShapeError naming the first pair of differing shapes if they are not all equal.
Tensor stack(const std::vector<Tensor>& tensors, int axis);

// The entries of `axis`, each with that axis dropped: select(x, axis, i) for
// every i. Each part carries its own backward into its slice of x's gradient,
// so using only some of the parts is fine; the rest contribute zeros.
std::vector<Tensor> unstack(const Tensor& x, int axis);

}  // namespace kiln
