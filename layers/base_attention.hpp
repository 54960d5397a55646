#pragma once
// BaseAttentionLayer: what every score-based attention layer shares (Keras
// calls its own BaseDenseAttention). Called on [encoder_out (B, Te, E),
// decoder_out (B, Td, D)] it returns [context (B, Td, E), weights (B, Td, Te)]:
//     weights[b, i, :] = softmax over j of score(decoder_out[b, i], encoder_out[b, j])
//     context[b, i]    = sum_j weights[b, i, j] encoder_out[b, j]
// for all decoder steps at once. Subclasses supply the weights (build) and
// the scores; this class checks the inputs, applies the mask, normalises and
// takes the weighted sum.
//
// Masks: encoder_out's mask (its own, Tensor::mask(), or the first of
// CallContext::masks) refers to the encoder positions, (B, Te) (1 keeps a
// position, 0 is padding). Masked positions get exactly zero weight and each
// row still sums to 1 over the kept positions. As in Keras, the masked scores
// are lowered by 1e9 rather than set to -inf, so a row whose positions are
// all masked gets (near) uniform weights instead of NaN. The context carries
// decoder_out's mask on, as Keras' attention layers pass the query's mask;
// the weights carry none.

#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace kiln {

class BaseAttentionLayer : public Layer {
 public:
  // [(B, Td, E), (B, Td, Te)]; unknown time dims stay unknown.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const final;
  // The context's mask is decoder_out's; the weights have none.
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  BaseAttentionLayer(std::string class_name, std::string name);

  // Exactly two rank-3 inputs with the same batch. Subclasses that need more
  // (known widths, equal widths) call this first.
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) final;

  // e[b, i, j]: how well decoder step i matches encoder step j, (B, Td, Te).
  virtual Tensor scores(const Tensor& encoder_out, const Tensor& decoder_out) = 0;

 private:
  void check_batches(const PartialShape& encoder, const PartialShape& decoder) const;
  void check_mask(const Shape& mask, const Shape& encoder) const;
};

}  // namespace kiln
