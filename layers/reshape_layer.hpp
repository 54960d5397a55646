#pragma once
// Reshape: (batch, ...) -> (batch, *target_shape), as keras.layers.Reshape;
// one entry of target_shape may be -1, inferred from the element count (an
// unknown input dimension leaves it unknown). Keras 3 writes the -1 in its
// config; TensorFlow.js writes null there, which reads as -1. Does not
// support masking (Keras' neither).

#include <cstdint>
#include <string>
#include <vector>

#include "layers/layer_config.hpp"

namespace kiln {

struct ReshapeOptions {
  std::vector<std::int64_t> target_shape = {};
  std::string name = {};
  static constexpr auto fields() { return std::tuple{config::field("target_shape", &ReshapeOptions::target_shape)}; }
};

class ReshapeLayer : public KerasLayer<ReshapeLayer, ReshapeOptions> {
 public:
  static constexpr const char* keras_name = "Reshape";
  // Throws kiln::Error for an entry below -1 or zero, or more than one -1.
  explicit ReshapeLayer(Options options);

  // As KerasLayer's, with TensorFlow.js's null entries read as -1.
  static Options options_from_config(const nlohmann::json& config);

  // Keras' compute_reshape_output_shape: the -1 resolved when every input
  // dimension (but the batch) is known, left unknown otherwise.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using Reshape = LayerHandle<ReshapeLayer>;

}  // namespace kiln
