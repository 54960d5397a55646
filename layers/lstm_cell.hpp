#pragma once
// LSTMCell: one step of Keras' LSTM, gates i, f, c, o along the last axis;
// with a_g = x kernel_g + h_{t-1} recurrent_kernel_g + bias_g:
//   i = recurrent_activation(a_i);  f = recurrent_activation(a_f)
//   c_t = f * c_{t-1} + i * activation(a_c);  o = recurrent_activation(a_o)
//   h_t = o * activation(c_t)
// The states are [h, c] and the output is h. Dropout multiplies x and
// h_{t-1} where they enter the products, with Keras 3's masks
// (layers/recurrent_dropout.hpp). Stepped by RNN; the LSTM layer is the
// fused equivalent of RNN(LSTMCell).

#include <cstdint>
#include <optional>
#include <string>

#include "layers/layer_config.hpp"
#include "layers/recurrent_dropout.hpp"
#include "layers/rnn_cell.hpp"

namespace kiln {

// Keras' unit_forget_bias: [bias_initializer(units), ones(units), bias_initializer(2 units)].
Initializer unit_forget_bias_initializer(Initializer bias_initializer, std::size_t units);

// The step itself, shared with the LSTM layer's stepped path: [h_t, c_t]
// from x (batch, features), h and c (batch, units) and the dropout's masks.
std::vector<Tensor> lstm_step(const std::string& activation, const std::string& recurrent_activation,
                              const CellWeights& w, const Tensor& x, const Tensor& h, const Tensor& c,
                              const RecurrentDropout& dropout);

struct LSTMCellOptions {
  std::size_t units = 0;
  std::string activation = "tanh";
  std::string recurrent_activation = "sigmoid";
  bool use_bias = true;
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec recurrent_initializer = "orthogonal";
  InitializerSpec bias_initializer = "zeros";
  bool unit_forget_bias = true;
  float dropout = 0.0f;
  float recurrent_dropout = 0.0f;
  std::optional<std::uint64_t> seed = {};
  std::string name = {};
  static constexpr auto fields() {
    using O = LSTMCellOptions;
    return std::tuple{config::field("units", &O::units),
                      config::field("activation", &O::activation),
                      config::field("recurrent_activation", &O::recurrent_activation),
                      config::field("use_bias", &O::use_bias),
                      config::field("unit_forget_bias", &O::unit_forget_bias),
                      config::field("kernel_initializer", &O::kernel_initializer),
                      config::field("recurrent_initializer", &O::recurrent_initializer),
                      config::field("bias_initializer", &O::bias_initializer),
                      config::field("dropout", &O::dropout),
                      config::field("recurrent_dropout", &O::recurrent_dropout),
                      config::field("seed", &O::seed)};
  }
};

class LSTMCellLayer : public KerasLayer<LSTMCellLayer, LSTMCellOptions, RNNCell> {
 public:
  static constexpr const char* keras_name = "LSTMCell";
  // Throws kiln::Error for units 0, an unknown activation or a rate outside [0, 1).
  explicit LSTMCellLayer(Options options);

  std::vector<std::size_t> state_sizes() const override { return {options_.units, options_.units}; }
  void begin_sequence(std::size_t batch, std::size_t features, bool training) override;
  CellStep step(const Tensor& input, const std::vector<Tensor>& states, bool training) override;
  const CellWeights& cell_weights() const { return weights_; }

 protected:
  void build(const std::vector<PartialShape>& shapes) override;

 private:
  CellWeights weights_;
  RecurrentDropout dropout_;
};

using LSTMCell = LayerHandle<LSTMCellLayer>;

}  // namespace kiln
