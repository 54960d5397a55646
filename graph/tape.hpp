#pragma once
// The tape: an append-only, thread-local list of the differentiable ops run
// so far. backward() (graph/backward.hpp) replays it in reverse. Being a flat
// vector, it needs no recursion however long an RNN unroll gets.

#include <functional>
#include <memory>
#include <vector>

#include "graph/tensor.hpp"

namespace kiln {

// Pushes the gradient of an op's output back to its inputs. It receives the
// output's gradient and value (tanh's derivative, for one, needs the value).
using BackwardFn = std::function<void(const Array& grad_output, const Array& output)>;

struct Node {
  std::shared_ptr<TensorImpl> output;
  BackwardFn backward;
};

class Tape {
 public:
  static Tape& current();  // this thread's tape

  void push(Node node) { nodes_.push_back(std::move(node)); }
  std::vector<Node>& nodes() { return nodes_; }
  std::size_t size() const { return nodes_.size(); }
  void clear() { nodes_.clear(); }

 private:
  std::vector<Node> nodes_;
};

// Whether ops record themselves on this thread (true unless a NoGradGuard lives).
bool grad_enabled();

// RAII: nothing is recorded while it lives (inference, optimizer updates).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

template <class... T>
bool any_requires_grad(const T&... inputs) {
  return (inputs.requires_grad() || ...);
}

// Wraps an op's forward result and, when an input needs a gradient and
// recording is on, appends the op's backward function to the tape.
template <class F>
Tensor record(Array value, bool inputs_need_grad, F&& backward) {
  Tensor out(std::move(value));
  if (inputs_need_grad && grad_enabled()) {
    TensorImpl& impl = out.impl();
    impl.requires_grad = true;
    impl.is_leaf = false;
    Tape::current().push(Node{out.shared_impl(), BackwardFn(std::forward<F>(backward))});
  }
  return out;
}

}  // namespace kiln
