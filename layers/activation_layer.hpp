#pragma once
// Activation: applies a named activation (layers/activation.hpp) as a layer
// of its own, as keras.layers.Activation; softmax is over the last axis.
// Any input shape; the output has the same one. Passes masks through.

#include <string>

#include "layers/layer.hpp"

namespace kiln {

class ActivationLayer : public Layer {
 public:
  struct Options {
    std::string activation = "linear";
    std::string name = {};
  };
  explicit ActivationLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);  // see layers/registry.hpp

  const Options& options() const { return options_; }

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  nlohmann::json get_config() const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  Options options_;
};

using Activation = LayerHandle<ActivationLayer>;

}  // namespace kiln
