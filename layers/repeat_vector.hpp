#pragma once
// RepeatVector: (batch, features) -> (batch, n, features), the input
// repeated n times along a new time axis, as keras.layers.RepeatVector (how
// an encoder's summary vector feeds every step of a decoder). Does not
// support masking (Keras' neither): an input's mask is dropped.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct RepeatVectorOptions {
  std::size_t n = 0;
  std::string name = {};
  static constexpr auto fields() { return std::tuple{config::field("n", &RepeatVectorOptions::n)}; }
};

class RepeatVectorLayer : public KerasLayer<RepeatVectorLayer, RepeatVectorOptions> {
 public:
  static constexpr const char* keras_name = "RepeatVector";
  // Throws kiln::Error unless n >= 1.
  explicit RepeatVectorLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any width
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using RepeatVector = LayerHandle<RepeatVectorLayer>;

}  // namespace kiln
