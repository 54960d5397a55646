#pragma once
// GradientTape: Keras' (TF2's) custom-training-loop contract.
//
//   kiln::GradientTape tape;
//   Tensor loss = loss_fn(y, model(x, {.training = true})[0]);
//   std::vector<Tensor> grads = tape.gradient(loss, model->trainable_weights());
//   optimizer->apply_gradients(grads, model->trainable_weights());
//
// Ops record while the tape lives, even inside a NoGradGuard. gradient()
// returns one gradient per source, in order, and an undefined Tensor where
// the target does not depend on a source (Keras' None); it changes no
// tensor's stored gradient. A tape answers once and frees the graph, unless
// made persistent, which keeps the graph for more calls until the graph's
// tensors are dropped.

#include <vector>

#include "graph/grad_mode.hpp"
#include "graph/tensor.hpp"

namespace kiln {

class GradientTape {
 public:
  struct Options {
    bool persistent = false;  // allow several gradient() calls
  };
  GradientTape() : GradientTape(Options{}) {}
  explicit GradientTape(Options options);
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  // Ops on `t` record from now on, as on a weight (t becomes a leaf that
  // requires grad until the tape goes).
  void watch(const Tensor& t);

  // d target / d source for each source; target must be a scalar.
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Tensor>& sources);

 private:
  Options options_;
  bool used_ = false;
  EnableGradGuard recording_;
  std::vector<Tensor> watched_;  // tensors watch() switched on, to switch off again
};

}  // namespace kiln
