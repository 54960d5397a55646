#pragma once
// record(): how an op adds itself to the graph. The Node (graph/tensor.hpp)
// lives inside the gradient side of the tensor it produced; it holds edges to
// the gradient sides of the inputs that need a gradient, the closure that
// pushes the output's gradient back to them, and the output's value only
// when that closure reads it.
//
//
//   // d tanh(x) = g * (1 - y^2)
//   return record(Array(xt::tanh(x.value())), {x}, [gx = x.grad_ref()](const Array& g, const Array& y) {
//     accumulate_grad(gx, Array(g * (1.0f - y * y)));
//   });
//
// A closure taking (g) alone does not keep the output; one taking (g, y)
// does. One taking `Array& g` may move g on to an input as its last use
// (graph/tensor.hpp's BackwardFn): an identity-like gradient without a copy.
// Capture only what the derivative needs: a GradRef for an input that
// receives a gradient, the Tensor (or shared_value()) for an input whose
// value the derivative reads, and nothing of an input that needs no gradient.

#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "graph/grad_mode.hpp"
#include "graph/tensor.hpp"

namespace kiln {

// Empties `node`, freeing every part of the graph only it held, iteratively:
// a 100,000-step chain is released without a 100,000-frame recursion.
void release_graph(Node& node);

// Whether an op on these inputs records (an input needs a gradient, and
// recording is on for this thread).
bool should_record(std::span<const Tensor> inputs);

// The gradient targets of a list of inputs, for a closure over all of them.
std::vector<GradRef> grad_refs(std::span<const Tensor> inputs);

// Wraps an op's result and, when should_record(inputs), links it to a new
// Node running `backward`. Undefined inputs (an absent bias) are skipped.
Tensor record_node(Array value, std::span<const Tensor> inputs, BackwardFn backward, bool keeps_output);

template <class F>
Tensor record(Array value, std::span<const Tensor> inputs, F&& backward) {
  if (!should_record(inputs)) return Tensor(std::move(value));
  if constexpr (std::is_invocable_v<F&, Array&, const Array&>) {
    return record_node(std::move(value), inputs, BackwardFn(std::forward<F>(backward)), true);
  } else {
    static_assert(std::is_invocable_v<F&, Array&>, "a backward closure takes (g) or (g, y)");
    return record_node(std::move(value), inputs,
                       [f = std::forward<F>(backward)](Array& g, const Array&) mutable { f(g); }, false);
  }
}

template <class F>
Tensor record(Array value, std::initializer_list<Tensor> inputs, F&& backward) {
  return record(std::move(value), std::span<const Tensor>(inputs.begin(), inputs.size()), std::forward<F>(backward));
}

template <class F>
Tensor record(Array value, const std::vector<Tensor>& inputs, F&& backward) {
  return record(std::move(value), std::span<const Tensor>(inputs), std::forward<F>(backward));
}

}  // namespace kiln
