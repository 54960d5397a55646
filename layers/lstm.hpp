#pragma once
// LSTM: Keras' LSTM layer (gates i, f, c, o), running the fused op
// ops/lstm.hpp. Inputs, outputs, masks and go_backwards are
// RecurrentLayer's (layers/recurrent.hpp); the states are h then c:
//   LSTM lstm({.units = 64, .return_state = true});
//   auto [output, h, c] = lstm(x).unpack<3>();

#include <cstdint>
#include <optional>
#include <string>

#include "layers/recurrent.hpp"

namespace kiln {

struct LSTMOptions {
  std::size_t units = 0;
  std::string activation = "tanh";              // the only one the fused op implements
  std::string recurrent_activation = "sigmoid"; // likewise
  bool use_bias = true;
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool zero_output_for_mask = false;            // see RecurrentLayer
  bool unit_forget_bias = true;                 // the forget gate's bias starts at 1
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec recurrent_initializer = "orthogonal";
  InitializerSpec bias_initializer = "zeros";
  // While training: fractions of the input features and of the state units
  // dropped, with masks drawn once per sequence, one per gate with
  // recurrent_dropout, as Keras 3 (layers/recurrent_dropout.hpp). Input
  // dropout alone keeps the fused op; recurrent dropout steps the cell.
  float dropout = 0.0f;
  float recurrent_dropout = 0.0f;
  std::optional<std::uint64_t> seed = {};
  std::string name = {};
  static constexpr auto fields() {
    return std::tuple_cat(recurrent_fields<LSTMOptions>(), gated_cell_fields<LSTMOptions>(),
                          dropout_fields<LSTMOptions>(),
                          std::tuple{config::field("unit_forget_bias", &LSTMOptions::unit_forget_bias)});
  }
};

class LSTMLayer : public KerasLayer<LSTMLayer, LSTMOptions, RecurrentLayer> {
 public:
  static constexpr const char* keras_name = "LSTM";
  explicit LSTMLayer(Options options);
  Tensor kernel() const { return kernel_; }                      // (features, 4 units)
  Tensor recurrent_kernel() const { return recurrent_kernel_; }  // (units, 4 units)
  Tensor bias() const { return bias_; }                          // (4 units); undefined without use_bias

  std::shared_ptr<RecurrentLayer> recreate(std::string name, RecurrentSettings settings) const override;

 protected:
  void build_cell(std::size_t features) override;
  CellRun run_cell(const Tensor& x, const std::vector<Tensor>& initial_states, const Array* mask,
                   bool need_sequence, bool training) override;

 private:
  Tensor kernel_, recurrent_kernel_, bias_;
  RecurrentDropout dropout_;
};

using LSTM = LayerHandle<LSTMLayer>;

}  // namespace kiln
