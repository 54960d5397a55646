#pragma once
// LSTM: Keras' LSTM layer (gates i, f, c, o), running the fused op
// ops/lstm.hpp. Inputs, outputs, masks and go_backwards are
// RecurrentLayer's (layers/recurrent.hpp); the states are h then c:
//   LSTM lstm({.units = 64, .return_state = true});
//   auto [output, h, c] = lstm(x).unpack<3>();

#include <string>

#include "layers/recurrent.hpp"

namespace kiln {

class LSTMLayer : public RecurrentLayer {
 public:
  struct Options {
    std::size_t units = 0;
    std::string activation = "tanh";              // the only one the fused op implements
    std::string recurrent_activation = "sigmoid"; // likewise
    bool use_bias = true;
    bool return_sequences = false;
    bool return_state = false;
    bool go_backwards = false;
    bool zero_output_for_mask = false;            // see RecurrentLayer
    bool unit_forget_bias = true;                 // the forget gate's bias starts at 1
    std::string kernel_initializer = "glorot_uniform";
    std::string recurrent_initializer = "orthogonal";
    std::string bias_initializer = "zeros";
    std::string name = {};
  };
  explicit LSTMLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);  // see layers/registry.hpp

  const Options& options() const { return options_; }
  Tensor kernel() const { return kernel_; }                      // (features, 4 units)
  Tensor recurrent_kernel() const { return recurrent_kernel_; }  // (units, 4 units)
  Tensor bias() const { return bias_; }                          // (4 units); undefined without use_bias

  std::shared_ptr<RecurrentLayer> recreate(std::string name, RecurrentSettings settings) const override;
  nlohmann::json get_config() const override;

 protected:
  void build_cell(std::size_t features) override;
  CellRun run_cell(const Tensor& x, const std::vector<Tensor>& initial_states, const Array* mask,
                   bool need_sequence) override;

 private:
  Options options_;
  Tensor kernel_, recurrent_kernel_, bias_;
};

using LSTM = LayerHandle<LSTMLayer>;

}  // namespace kiln
