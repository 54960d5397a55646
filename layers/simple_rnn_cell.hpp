#pragma once
// SimpleRNNCell: one step of Keras' SimpleRNN,
//   h_t = activation((x_t * dropout mask) kernel + bias + (h_{t-1} * recurrent mask) recurrent_kernel)
// with the state as output. Any Keras activation by name. Stepped by RNN
// (layers/rnn.hpp); the SimpleRNN layer (layers/simple_rnn.hpp) is the
// fused equivalent of RNN(SimpleRNNCell).

#include <cstdint>
#include <optional>
#include <string>

#include "layers/layer_config.hpp"
#include "layers/recurrent_dropout.hpp"
#include "layers/rnn_cell.hpp"

namespace kiln {

// The step itself, shared with the SimpleRNN layer's stepped path: h_t from
// x (batch, features), h (batch, units) and the dropout's current masks.
Tensor simple_rnn_step(const std::string& activation, const CellWeights& w, const Tensor& x, const Tensor& h,
                       const RecurrentDropout& dropout);

struct SimpleRNNCellOptions {
  std::size_t units = 0;
  std::string activation = "tanh";
  bool use_bias = true;
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec recurrent_initializer = "orthogonal";
  InitializerSpec bias_initializer = "zeros";
  float dropout = 0.0f;            // fraction of the input features dropped while training
  float recurrent_dropout = 0.0f;  // fraction of the state units dropped while training
  std::optional<std::uint64_t> seed = {};
  std::string name = {};
  static constexpr auto fields() {
    using O = SimpleRNNCellOptions;
    return std::tuple{config::field("units", &O::units),
                      config::field("activation", &O::activation),
                      config::field("use_bias", &O::use_bias),
                      config::field("kernel_initializer", &O::kernel_initializer),
                      config::field("recurrent_initializer", &O::recurrent_initializer),
                      config::field("bias_initializer", &O::bias_initializer),
                      config::field("dropout", &O::dropout),
                      config::field("recurrent_dropout", &O::recurrent_dropout),
                      config::field("seed", &O::seed)};
  }
};

class SimpleRNNCellLayer : public KerasLayer<SimpleRNNCellLayer, SimpleRNNCellOptions, RNNCell> {
 public:
  static constexpr const char* keras_name = "SimpleRNNCell";
  // Throws kiln::Error for units 0, an unknown activation or a rate outside [0, 1).
  explicit SimpleRNNCellLayer(Options options);

  std::vector<std::size_t> state_sizes() const override { return {options_.units}; }
  void begin_sequence(std::size_t batch, std::size_t features, bool training) override;
  CellStep step(const Tensor& input, const std::vector<Tensor>& states, bool training) override;
  const CellWeights& cell_weights() const { return weights_; }

 protected:
  void build(const std::vector<PartialShape>& shapes) override;

 private:
  CellWeights weights_;
  RecurrentDropout dropout_;
};

using SimpleRNNCell = LayerHandle<SimpleRNNCellLayer>;

}  // namespace kiln
