#pragma once
// Reverse-mode differentiation over the graph a result owns, and the one
// place where gradients are added into tensors (so no op's backward handles
// broadcasting).

#include <optional>
#include <vector>

#include <xtensor/xnoalias.hpp>

#include "graph/node.hpp"

namespace kiln {

// Sums a broadcast gradient back down to `target` (numpy broadcasting rules
// in reverse: leading axes are summed away, size-1 axes summed with keepdims).
Array unbroadcast(Array grad, const Shape& target);

// Adds `grad` into the gradient `to` refers to (or sets it, the first time).
// `grad` may have the broadcast shape of an op's output; it is reduced to the
// shape the op saw here. Does nothing when the tensor does not require grad.
template <class E>
void accumulate_grad(const GradRef& to, E&& grad) {
  if (!to.requires_grad()) return;
  AutogradMeta& meta = to.meta();
  const auto& gshape = grad.shape();
  const Shape& target = to.shape();
  const bool same = std::equal(gshape.begin(), gshape.end(), target.begin(), target.end());
  if (!same) {
    accumulate_grad(to, unbroadcast(Array(std::forward<E>(grad)), target));
  } else if (!meta.has_grad) {
    meta.grad = std::forward<E>(grad);
    meta.has_grad = true;
  } else {
    xt::noalias(meta.grad) += grad;
  }
}

template <class E>
void accumulate_grad(const Tensor& t, E&& grad) {
  if (t.requires_grad()) accumulate_grad(t.grad_ref(), std::forward<E>(grad));
}

// For backward functions that write straight into the gradient buffer (a
// GEMM with beta = 0 or 1): the buffer, allocated to the op's view of the
// tensor if absent, and whether it already holds a gradient to add to.
struct GradTarget {
  float* data;
  bool accumulate;
};
GradTarget grad_target(const GradRef& to);
inline GradTarget grad_target(const Tensor& t) { return grad_target(t.grad_ref()); }

struct BackwardOptions {
  // Keep the graph so backward can run over it again.
  bool retain_graph = false;
};

// Computes d(output)/d(leaf) for every leaf that requires grad and that
// `output` depends on, adding into their gradients. Only the graph that
// reaches `output` runs; other live graphs are left alone. A scalar output is
// seeded with 1; any other output needs `seed`, the gradient of some scalar
// with respect to it (same shape). Unless options.retain_graph, the graph is
// freed as it is used; running backward through it again throws kiln::Error.
void backward(const Tensor& output, std::optional<Array> seed = std::nullopt, BackwardOptions options = {});

// The gradient of `output` (a scalar, or seeded as above) with respect to
// each of `sources`, in order, as new tensors; an undefined Tensor where the
// output does not depend on a source (as Keras returns None). No tensor's
// stored gradient changes. Used by GradientTape.
std::vector<Tensor> gradients(const Tensor& output, const std::vector<Tensor>& sources,
                              std::optional<Array> seed = std::nullopt, BackwardOptions options = {});

}  // namespace kiln
