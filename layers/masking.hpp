#pragma once
// Masking: marks as padding every step whose features all equal mask_value,
// as keras.layers.Masking: the output is the input with those steps zeroed,
// and carries the mask (batch, ...) = any(x != mask_value) over the last
// axis, so the layers after it (LSTM, GRU, losses) skip those steps.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct MaskingOptions {
  float mask_value = 0.0f;
  std::string name = {};
  static constexpr auto fields() { return std::tuple{config::field("mask_value", &MaskingOptions::mask_value)}; }
};

class MaskingLayer : public KerasLayer<MaskingLayer, MaskingOptions> {
 public:
  static constexpr const char* keras_name = "Masking";
  explicit MaskingLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  // Keras' compute_mask: any(x != mask_value) over the last axis, whatever
  // mask the input had.
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  // 1 where a step has a feature other than mask_value, 0 where it has none:
  // the input's shape without its last axis.
  Array kept_steps(const Array& x) const;
};

using Masking = LayerHandle<MaskingLayer>;

}  // namespace kiln
