#pragma once
// The fused GRU sequence op: a whole Keras GRU layer's recurrence (TF2,
// reset_after=True) in one tape node, forward and hand-written BPTT.

#include "graph/tensor.hpp"

namespace kiln {

struct GruSequenceOptions {
  const Array* mask = nullptr;  // (batch, time): 0 skips that step, carrying the state
  bool go_backwards = false;    // process the time steps last to first
};

// Shapes: x (B, T, D), h0 (B, H), kernel (D, 3H), recurrent_kernel (H, 3H),
// bias (2, 3H) = [input bias; recurrent bias], or an undefined Tensor for no
// bias. Gates along the last axis in Keras' order z, r, h:
//   xp = x_t kernel + bias[0];   hp = h_{t-1} recurrent_kernel + bias[1]
//   z = sigmoid(xp_z + hp_z);    r = sigmoid(xp_r + hp_r)
//   n = tanh(xp_h + r * hp_h);   h_t = z * h_{t-1} + (1 - z) * n
// Returns the carried state after every step, (B, T, H), in processing
// order: with go_backwards, step 0 is input time T-1. At a masked step the
// state is carried unchanged (h_t = h_{t-1}); the last step is the final
// state. Gradients flow to every input that requires one.
// ShapeError naming the op, the argument and the shapes on a mismatch.
Tensor gru_sequence(const Tensor& x, const Tensor& h0, const Tensor& kernel, const Tensor& recurrent_kernel,
                    const Tensor& bias, const GruSequenceOptions& options = {});

}  // namespace kiln
