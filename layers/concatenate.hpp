#pragma once
// Concatenate: joins two or more inputs along `axis` (negative counts from
// the end), as keras.layers.Concatenate. Every other dimension must match;
// unknown (None) dimensions match anything. Combines the inputs' masks as
// Keras does (compute_mask).

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct ConcatenateOptions {
  int axis = -1;
  std::string name = {};
  static constexpr auto fields() { return std::tuple{config::field("axis", &ConcatenateOptions::axis)}; }
};

class ConcatenateLayer : public KerasLayer<ConcatenateLayer, ConcatenateOptions> {
 public:
  static constexpr const char* keras_name = "Concatenate";
  explicit ConcatenateLayer(Options options);

  // The sum of the inputs' sizes on `axis` (None if any is unknown); every
  // other dimension is the one known among the inputs.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  // Keras' rule: each input's mask (all ones where it has none) spread over
  // its last axis, concatenated, and any() over the last axis: along the
  // feature axis the masks' OR (all ones if an input has none), along the
  // time axis their concatenation. None when no input has a mask.
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shapes
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  std::size_t axis_for_rank(std::size_t rank) const;
};

using Concatenate = LayerHandle<ConcatenateLayer>;

}  // namespace kiln
