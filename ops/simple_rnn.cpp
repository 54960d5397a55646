#include "ops/simple_rnn.hpp"

#include <algorithm>

#include "ops/recurrence.hpp"
#include "ops/span_activations.hpp"

namespace kiln {

namespace {

// One SimpleRNN step on one batch row (the driver in ops/recurrence.hpp
// loops). Cached per unit: h_t, from which every supported activation's
// derivative follows.
struct SimpleRnnCell {
  static constexpr std::size_t gates = 1, states = 1, cached = 1;
  static constexpr bool split_bias = false;
  SimpleRnnActivation activation;

  void forward(const recurrence::StepRow& row) const {
    const std::size_t H = row.units;
    float* h = row.next[0];
    for (std::size_t j = 0; j < H; ++j) h[j] = row.xp[j] + row.hp[j];
    switch (activation) {
      case SimpleRnnActivation::tanh: span::tanh(h, H); break;
      case SimpleRnnActivation::sigmoid: span::sigmoid(h, H); break;
      case SimpleRnnActivation::relu:
        for (std::size_t j = 0; j < H; ++j) h[j] = std::max(h[j], 0.0f);
        break;
      case SimpleRnnActivation::linear: break;
    }
    std::copy_n(h, H, row.cache);
  }

  // With dh = dL/dh_t and a = xp + hp:
  //   da = dh act'(a): tanh 1 - h^2, sigmoid h (1 - h), relu [h > 0], linear 1
  //   d(xp) = d(hp) = da;  dh_{t-1} = 0 here (the driver adds dHP recurrent_kernel^T)
  void backward(const recurrence::StepGradRow& row) const {
    const std::size_t H = row.units;
    const float* h = row.cache;
    float* dh = row.d_state[0];
    for (std::size_t j = 0; j < H; ++j) {
      float slope = 1.0f;
      switch (activation) {
        case SimpleRnnActivation::tanh: slope = 1.0f - h[j] * h[j]; break;
        case SimpleRnnActivation::sigmoid: slope = h[j] * (1.0f - h[j]); break;
        case SimpleRnnActivation::relu: slope = h[j] > 0.0f ? 1.0f : 0.0f; break;
        case SimpleRnnActivation::linear: break;
      }
      row.dxp[j] = row.dhp[j] = dh[j] * slope;
      dh[j] = 0.0f;
    }
  }
};

}  // namespace

std::optional<SimpleRnnActivation> simple_rnn_activation(const std::string& name) {
  if (name == "tanh") return SimpleRnnActivation::tanh;
  if (name == "relu") return SimpleRnnActivation::relu;
  if (name == "sigmoid") return SimpleRnnActivation::sigmoid;
  if (name == "linear") return SimpleRnnActivation::linear;
  return std::nullopt;
}

Tensor simple_rnn_sequence(const Tensor& x, const Tensor& h0, const Tensor& kernel, const Tensor& recurrent_kernel,
                           const Tensor& bias, const SimpleRnnSequenceOptions& options) {
  recurrence::Inputs in{x, {h0}, kernel, recurrent_kernel, bias, options.mask, options.go_backwards};
  return recurrence::run_sequence("simple_rnn_sequence", SimpleRnnCell{options.activation}, std::move(in));
}

}  // namespace kiln
