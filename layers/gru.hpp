#pragma once
// GRU: Keras' GRU layer (TF2 defaults: reset_after=true, gates z, r, h),
// running the fused op ops/gru.hpp. Inputs, outputs, masks and go_backwards
// are RecurrentLayer's (layers/recurrent.hpp):
//   GRU gru({.units = 96, .return_sequences = true, .return_state = true});
//   auto [sequence, state] = gru(x).unpack<2>();

#include <cstdint>
#include <optional>
#include <string>

#include "layers/recurrent.hpp"

namespace kiln {

struct GRUOptions {
  std::size_t units = 0;
  std::string activation = "tanh";              // the only one the fused op implements
  std::string recurrent_activation = "sigmoid"; // likewise
  bool use_bias = true;
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool zero_output_for_mask = false;            // see RecurrentLayer
  bool reset_after = true;                      // false (the TF1 variant) is not supported
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
    return std::tuple_cat(recurrent_fields<GRUOptions>(), gated_cell_fields<GRUOptions>(),
                          dropout_fields<GRUOptions>(),
                          std::tuple{config::field("reset_after", &GRUOptions::reset_after)});
  }
};

class GRULayer : public KerasLayer<GRULayer, GRUOptions, RecurrentLayer> {
 public:
  static constexpr const char* keras_name = "GRU";
  explicit GRULayer(Options options);
  Tensor kernel() const { return kernel_; }                      // (features, 3 units)
  Tensor recurrent_kernel() const { return recurrent_kernel_; }  // (units, 3 units)
  Tensor bias() const { return bias_; }                          // (2, 3 units); undefined without use_bias

  std::shared_ptr<RecurrentLayer> recreate(std::string name, RecurrentSettings settings) const override;

 protected:
  void build_cell(std::size_t features) override;
  CellRun run_cell(const Tensor& x, const std::vector<Tensor>& initial_states, const Array* mask,
                   bool need_sequence, bool training) override;

 private:
  Tensor kernel_, recurrent_kernel_, bias_;
  RecurrentDropout dropout_;
};

using GRU = LayerHandle<GRULayer>;

}  // namespace kiln
