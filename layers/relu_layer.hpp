#pragma once
// ReLU: Keras 3's rectifier with its three options, as keras.layers.ReLU:
//   y = max_value                          for x >= max_value
//   y = x                                  for threshold < x < max_value
//   y = negative_slope * (x - threshold)   for x < threshold (0 at x == threshold)
// (keras.activations.relu). Any input shape; passes masks through.

#include <optional>
#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct ReLUOptions {
  std::optional<float> max_value = std::nullopt;  // unbounded
  float negative_slope = 0.0f;
  float threshold = 0.0f;
  std::string name = {};
  static constexpr auto fields() {
    using O = ReLUOptions;
    return std::tuple{config::field("max_value", &O::max_value), config::field("negative_slope", &O::negative_slope),
                      config::field("threshold", &O::threshold)};
  }
};

class ReLULayer : public KerasLayer<ReLULayer, ReLUOptions> {
 public:
  static constexpr const char* keras_name = "ReLU";
  // Throws kiln::Error for a negative max_value, negative_slope or threshold (as Keras).
  explicit ReLULayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using ReLU = LayerHandle<ReLULayer>;

}  // namespace kiln
