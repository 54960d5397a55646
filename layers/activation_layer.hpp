#pragma once
// Activation: applies a named activation (layers/activation.hpp) as a layer
// of its own, as keras.layers.Activation; softmax is over the last axis.
// Any input shape; the output has the same one. Passes masks through.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct ActivationOptions {
  std::string activation = "linear";
  std::string name = {};
  static constexpr auto fields() { return std::tuple{config::field("activation", &ActivationOptions::activation)}; }
};

class ActivationLayer : public KerasLayer<ActivationLayer, ActivationOptions> {
 public:
  static constexpr const char* keras_name = "Activation";
  explicit ActivationLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using Activation = LayerHandle<ActivationLayer>;

}  // namespace kiln
