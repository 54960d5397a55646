#pragma once
// Identity: returns its input unchanged (the same tensor), as
// keras.layers.Identity, a placeholder where a model's code expects a layer.
// Passes masks through.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct IdentityOptions {
  std::string name = {};
  static constexpr auto fields() { return std::tuple{}; }
};

class IdentityLayer : public KerasLayer<IdentityLayer, IdentityOptions> {
 public:
  static constexpr const char* keras_name = "Identity";
  explicit IdentityLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using Identity = LayerHandle<IdentityLayer>;

}  // namespace kiln
