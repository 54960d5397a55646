#pragma once
// GRUCell: one step of Keras' GRU, gates z, r, h along the last axis:
//   z = recurrent_activation(x_z + h_z);  r = recurrent_activation(x_r + h_r)
//   reset_after (Keras' TF2 default): n = activation(x_h + r * h_h), where
//     x_g = x kernel_g + bias[0]_g and h_g = h_{t-1} recurrent_kernel_g + bias[1]_g
//   reset_after = false (TF1's variant, TF.js's only one):
//     n = activation(x_h + (r * h_{t-1}) recurrent_kernel_h), bias (3 units) on the x side
//   h_t = z * h_{t-1} + (1 - z) * n
// Dropout multiplies x and h_{t-1} where they enter the products (not the
// z * h_{t-1} mix), with Keras 3's masks (layers/recurrent_dropout.hpp).
// Stepped by RNN; the GRU layer is the fused equivalent of RNN(GRUCell).

#include <cstdint>
#include <optional>
#include <string>

#include "layers/layer_config.hpp"
#include "layers/recurrent_dropout.hpp"
#include "layers/rnn_cell.hpp"

namespace kiln {

struct GruStepOptions {
  std::string activation = "tanh";
  std::string recurrent_activation = "sigmoid";
  bool reset_after = true;
};

// The step itself, shared with the GRU layer's stepped path: h_t from x
// (batch, features), h (batch, units) and the dropout's current masks.
Tensor gru_step(const GruStepOptions& options, const CellWeights& w, const Tensor& x, const Tensor& h,
                const RecurrentDropout& dropout);

struct GRUCellOptions {
  std::size_t units = 0;
  std::string activation = "tanh";
  std::string recurrent_activation = "sigmoid";
  bool use_bias = true;
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec recurrent_initializer = "orthogonal";
  InitializerSpec bias_initializer = "zeros";
  float dropout = 0.0f;
  float recurrent_dropout = 0.0f;
  bool reset_after = true;
  std::optional<std::uint64_t> seed = {};
  std::string name = {};
  static constexpr auto fields() {
    using O = GRUCellOptions;
    return std::tuple{config::field("units", &O::units),
                      config::field("activation", &O::activation),
                      config::field("recurrent_activation", &O::recurrent_activation),
                      config::field("use_bias", &O::use_bias),
                      config::field("kernel_initializer", &O::kernel_initializer),
                      config::field("recurrent_initializer", &O::recurrent_initializer),
                      config::field("bias_initializer", &O::bias_initializer),
                      config::field("dropout", &O::dropout),
                      config::field("recurrent_dropout", &O::recurrent_dropout),
                      config::field("reset_after", &O::reset_after),
                      config::field("seed", &O::seed)};
  }
};

class GRUCellLayer : public KerasLayer<GRUCellLayer, GRUCellOptions, RNNCell> {
 public:
  static constexpr const char* keras_name = "GRUCell";
  // Throws kiln::Error for units 0, an unknown activation or a rate outside [0, 1).
  explicit GRUCellLayer(Options options);

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

using GRUCell = LayerHandle<GRUCellLayer>;

}  // namespace kiln
