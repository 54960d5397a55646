#pragma once
// Permute: reorders the axes after the batch, as keras.layers.Permute;
// dims counts from 1 (the batch axis stays first): Permute({.dims = {2, 1}})
// turns (batch, time, features) into (batch, features, time). The input has
// exactly dims.size() + 1 axes. Does not support masking (Keras' neither).

#include <string>
#include <vector>

#include "layers/layer_config.hpp"

namespace kiln {

struct PermuteOptions {
  std::vector<std::size_t> dims = {};
  std::string name = {};
  static constexpr auto fields() { return std::tuple{config::field("dims", &PermuteOptions::dims)}; }
};

class PermuteLayer : public KerasLayer<PermuteLayer, PermuteOptions> {
 public:
  static constexpr const char* keras_name = "Permute";
  // Throws kiln::Error unless dims holds each of 1 .. dims.size() once.
  explicit PermuteLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using Permute = LayerHandle<PermuteLayer>;

}  // namespace kiln
