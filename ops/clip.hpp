#pragma once
// clip: limits every element to [lo, hi].

#include "graph/tensor.hpp"

namespace kiln {

// y = min(max(x, lo), hi). The gradient passes only strictly inside the
// interval (lo < x < hi); at x == lo or x == hi it is 0, like the clipped
// elements beyond. A value sitting on the bound is treated as clipped, which
// is what categorical_cross_entropy wants of probabilities at 1e-7. (PyTorch's
// clamp passes the gradient at the bounds instead; the two differ only on a
// set of measure zero.) Throws kiln::Error when lo > hi.
Tensor clip(const Tensor& x, float lo, float hi);

}  // namespace kiln
