#pragma once
// The fused LSTM sequence op: a whole Keras LSTM layer's recurrence in one
// tape node, forward and hand-written BPTT.

#include "graph/tensor.hpp"

namespace kiln {

struct LstmSequenceOptions {
  const Array* mask = nullptr;  // (batch, time): 0 skips that step, carrying both states
  bool go_backwards = false;    // process the time steps last to first
};

// Shapes: x (B, T, D), h0 and c0 (B, H), kernel (D, 4H), recurrent_kernel
// (H, 4H), bias (4H) or an undefined Tensor for no bias. Gates along the last
// axis in Keras' order i, f, c, o; with a = x_t kernel + h_{t-1} recurrent_kernel + bias:
//   i = sigmoid(a_i);  f = sigmoid(a_f);  g = tanh(a_c);  o = sigmoid(a_o)
//   c_t = f * c_{t-1} + i * g;            h_t = o * tanh(c_t)
// Returns both carried states after every step as ONE tensor (B, T, 2, H):
// [:, s, 0, :] is h and [:, s, 1, :] is c after processing step s, so
// select(out, 2, 0) is the h sequence and select(out, 2, 1) the c sequence.
// Steps are in processing order (with go_backwards, step 0 is input time
// T-1); at a masked step both states are carried unchanged. Gradients flow to
// every input that requires one. ShapeError naming the op, the argument and
// the shapes on a mismatch.
Tensor lstm_sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& kernel,
                     const Tensor& recurrent_kernel, const Tensor& bias, const LstmSequenceOptions& options = {});

}  // namespace kiln
