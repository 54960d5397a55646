#pragma once
// Reverse-mode differentiation over the tape, and the one place where
// gradients are added into tensors (so no op's backward handles broadcasting).

#include <optional>

#include <xtensor/xnoalias.hpp>

#include "graph/tape.hpp"

namespace kiln {

// Sums a broadcast gradient back down to `target` (numpy broadcasting rules
// in reverse: leading axes are summed away, size-1 axes summed with keepdims).
Array unbroadcast(Array grad, const Shape& target);

// Adds `grad` into t's gradient (or sets it, the first time). `grad` may have
// the broadcast shape of an op's output; it is reduced to t's shape here.
// Does nothing when t does not require grad.
template <class E>
void accumulate_grad(const Tensor& t, E&& grad) {
  if (!t.requires_grad()) return;
  TensorImpl& impl = t.impl();
  const auto& gshape = grad.shape();
  const bool same = std::equal(gshape.begin(), gshape.end(), impl.value.shape().begin(),
                               impl.value.shape().end());
  if (!same) {
    Array reduced = unbroadcast(Array(std::forward<E>(grad)), impl.value.shape());
    accumulate_grad(t, std::move(reduced));
  } else if (!impl.has_grad) {
    impl.grad = std::forward<E>(grad);
    impl.has_grad = true;
  } else {
    xt::noalias(impl.grad) += grad;
  }
}

// For backward functions that write straight into the gradient buffer (a
// GEMM with beta = 0 or 1): the buffer, allocated to t's shape if absent, and
// whether it already holds a gradient to add to.
struct GradTarget {
  float* data;
  bool accumulate;
};
GradTarget grad_target(const Tensor& t);

struct BackwardOptions {
  // Keep the tape so backward can run again over the same graph.
  bool retain_graph = false;
};

// Computes d(output)/d(leaf) for every leaf that requires grad, adding into
// their gradients. A scalar output is seeded with 1; any other output needs
// `seed`, the gradient of some scalar with respect to it (same shape).
void backward(const Tensor& output, std::optional<Array> seed = std::nullopt,
              BackwardOptions options = {});

}  // namespace kiln
