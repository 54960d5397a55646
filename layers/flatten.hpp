#pragma once
// Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...), as
// keras.layers.Flatten (channels_last). A (batch,) input becomes (batch, 1).
// Like Keras, it drops any mask.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct FlattenOptions {
  std::string data_format = "channels_last";  // the only layout kiln has
  std::string name = {};
  static constexpr auto fields() { return std::tuple{config::field("data_format", &FlattenOptions::data_format)}; }
};

class FlattenLayer : public KerasLayer<FlattenLayer, FlattenOptions> {
 public:
  static constexpr const char* keras_name = "Flatten";
  explicit FlattenLayer(Options options);

  // (batch, product of the rest), None when any of the rest is unknown.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using Flatten = LayerHandle<FlattenLayer>;

}  // namespace kiln
