#pragma once
// LeakyReLU: x for x >= 0, negative_slope * x below, as
// keras.layers.LeakyReLU (Keras 3's default slope 0.3). Configs written by
// Keras 2 and TensorFlow.js name the slope `alpha`; both keys are read, and
// Keras 3's is written. Any input shape; passes masks through.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct LeakyReLUOptions {
  float negative_slope = 0.3f;
  std::string name = {};
  static constexpr auto fields() {
    return std::tuple{config::field("negative_slope", &LeakyReLUOptions::negative_slope)};
  }
};

class LeakyReLULayer : public KerasLayer<LeakyReLULayer, LeakyReLUOptions> {
 public:
  static constexpr const char* keras_name = "LeakyReLU";
  // Throws kiln::Error for a negative slope (as Keras).
  explicit LeakyReLULayer(Options options);

  // Reads Keras 2's "alpha" as negative_slope (FormatError when both are given).
  static Options options_from_config(const nlohmann::json& config);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using LeakyReLU = LayerHandle<LeakyReLULayer>;

}  // namespace kiln
