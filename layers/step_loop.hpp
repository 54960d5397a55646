#pragma once
// The time loop of a recurrence stepped one cell call at a time (Keras'
// backend rnn loop), built from ops so the tape differentiates it: RNN
// (layers/rnn.hpp) runs every cell on it, and GRU, LSTM and SimpleRNN fall
// back to it where their fused ops do not apply (recurrent dropout while
// training, activations the fused op lacks).
//
// Masks follow Keras: at a masked step (mask 0) the states are carried
// unchanged and the output repeats the previous step's output, zeros until
// a step has run (zero_output_for_mask: zeros at every masked step).

#include <functional>
#include <vector>

#include "graph/tensor.hpp"

namespace kiln {

// One step: (input (batch, features), states) -> (output, new states).
using StepFunction = std::function<std::pair<Tensor, std::vector<Tensor>>(const Tensor&, const std::vector<Tensor>&)>;

struct SteppedSequence {
  std::vector<Tensor> outputs;      // (batch, output size) per step, in processing order
  std::vector<Tensor> final_states; // after the last step
};

struct StepLoopOptions {
  const Array* mask = nullptr;  // (batch, time): 0 skips that step
  bool go_backwards = false;    // process the time steps last to first
  bool zero_output_for_mask = false;
};

// Runs `step` over x (batch, time, features) from `states`.
SteppedSequence step_sequence(const Tensor& x, std::vector<Tensor> states, const StepFunction& step,
                              const StepLoopOptions& options = {});

}  // namespace kiln
