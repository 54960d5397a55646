#pragma once
// Softmax as a layer, as keras.layers.Softmax: along one axis or several
// (the exponentials normalised over all of them together), with the mask
// Keras' call takes: 1 keeps a position, 0 gives it zero probability (its
// logit is lowered by 1e9 first, as Keras does). The mask is the input's
// (Tensor::mask() or CallContext::masks) and either broadcasts to the input
// (numpy rules: an attention mask (batch, 1, keys) over (batch, queries,
// keys) scores) or has one axis fewer, kiln's per-position masks (batch,
// time), which cover every axis but the last. Passes a mask of that kind on
// (a tensor carries only those, Tensor::with_mask); one of the input's full
// shape is used, not passed on.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct SoftmaxOptions {
  IntOrList axis = -1;  // an axis, or a list of them: Softmax({.axis = {1, 2}})
  std::string name = {};
  static constexpr auto fields() { return std::tuple{config::field("axis", &SoftmaxOptions::axis)}; }
};

class SoftmaxLayer : public KerasLayer<SoftmaxLayer, SoftmaxOptions> {
 public:
  static constexpr const char* keras_name = "Softmax";
  // Throws kiln::Error for an empty or repeated axis list.
  explicit SoftmaxLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shape
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  // The axes as indices into a shape of this rank, sorted; fails naming the
  // axis out of range.
  std::vector<std::size_t> axes_for(const PartialShape& shape) const;
  // The -1e9 * (1 - mask) term added to the logits.
  Array mask_adder(const Array& mask, const Shape& input) const;
};

using Softmax = LayerHandle<SoftmaxLayer>;

}  // namespace kiln
