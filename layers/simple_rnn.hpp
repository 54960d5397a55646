#pragma once
// SimpleRNN: Keras' fully connected recurrent layer,
//   h_t = activation(x_t kernel + h_{t-1} recurrent_kernel + bias),
// running the fused op ops/simple_rnn.hpp for tanh, relu, sigmoid and
// linear, and stepping SimpleRNNCell's maths (layers/simple_rnn_cell.hpp)
// for any other Keras activation and for recurrent dropout while training.
// Inputs, outputs, masks and go_backwards are RecurrentLayer's
// (layers/recurrent.hpp):
//   SimpleRNN rnn({.units = 32, .return_sequences = true});

#include <cstdint>
#include <optional>
#include <string>

#include "layers/recurrent.hpp"

namespace kiln {

struct SimpleRNNOptions {
  std::size_t units = 0;
  std::string activation = "tanh";
  bool use_bias = true;
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool zero_output_for_mask = false;  // see RecurrentLayer
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec recurrent_initializer = "orthogonal";
  InitializerSpec bias_initializer = "zeros";
  float dropout = 0.0f;            // see GRUOptions
  float recurrent_dropout = 0.0f;
  std::optional<std::uint64_t> seed = {};
  std::string name = {};
  static constexpr auto fields() {
    using O = SimpleRNNOptions;
    return std::tuple_cat(recurrent_fields<O>(), dropout_fields<O>(),
                          std::tuple{config::field("activation", &O::activation),
                                     config::field("use_bias", &O::use_bias),
                                     config::field("kernel_initializer", &O::kernel_initializer),
                                     config::field("recurrent_initializer", &O::recurrent_initializer),
                                     config::field("bias_initializer", &O::bias_initializer)});
  }
};

class SimpleRNNLayer : public KerasLayer<SimpleRNNLayer, SimpleRNNOptions, RecurrentLayer> {
 public:
  static constexpr const char* keras_name = "SimpleRNN";
  // Throws kiln::Error for units 0, an unknown activation or a rate outside [0, 1).
  explicit SimpleRNNLayer(Options options);
  Tensor kernel() const { return kernel_; }                      // (features, units)
  Tensor recurrent_kernel() const { return recurrent_kernel_; }  // (units, units)
  Tensor bias() const { return bias_; }                          // (units); undefined without use_bias

  std::shared_ptr<RecurrentLayer> recreate(std::string name, RecurrentSettings settings) const override;

 protected:
  void build_cell(std::size_t features) override;
  CellRun run_cell(const Tensor& x, const std::vector<Tensor>& initial_states, const Array* mask,
                   bool need_sequence, bool training) override;

 private:
  Tensor kernel_, recurrent_kernel_, bias_;
  RecurrentDropout dropout_;
};

using SimpleRNN = LayerHandle<SimpleRNNLayer>;

}  // namespace kiln
