#pragma once
// The fused SimpleRNN sequence op: a whole Keras SimpleRNN layer's
// recurrence in one tape node, forward and hand-written BPTT, on the time
// loop the GRU and LSTM ops share (ops/recurrence.hpp).

#include <optional>
#include <string>

#include "graph/tensor.hpp"

namespace kiln {

// The activations the fused op implements: each one's derivative is a
// function of its output, which is all the op keeps for backward.
enum class SimpleRnnActivation { tanh, relu, sigmoid, linear };

// The enum for a Keras activation name ("tanh", "relu", "sigmoid",
// "linear"), or nothing for any other name.
std::optional<SimpleRnnActivation> simple_rnn_activation(const std::string& name);

struct SimpleRnnSequenceOptions {
  const Array* mask = nullptr;  // (batch, time): 0 skips that step, carrying the state
  bool go_backwards = false;    // process the time steps last to first
  SimpleRnnActivation activation = SimpleRnnActivation::tanh;
};

// Shapes: x (B, T, D), h0 (B, H), kernel (D, H), recurrent_kernel (H, H),
// bias (H) or an undefined Tensor for no bias:
//   h_t = activation(x_t kernel + h_{t-1} recurrent_kernel + bias)
// Returns the state after every step, (B, T, H), in processing order (with
// go_backwards, step 0 is input time T-1); at a masked step the state is
// carried unchanged. Gradients flow to every input that requires one.
// ShapeError naming the op, the argument and the shapes on a mismatch.
Tensor simple_rnn_sequence(const Tensor& x, const Tensor& h0, const Tensor& kernel, const Tensor& recurrent_kernel,
                           const Tensor& bias, const SimpleRnnSequenceOptions& options = {});

}  // namespace kiln
