#pragma once
// TransformerDecoder (keras_hub): one decoder block. Called on
// [decoder_sequence (batch, T, hidden), encoder_sequence (batch, S, hidden_e)]
// (or [decoder_sequence] alone for a decoder-only model; the choice is fixed
// at the first call, as keras_hub's):
//     x = norm1(x + dropout(causal_self_attention(x)))
//     x = norm2(x + dropout(cross_attention(x, encoder_sequence)))
//     x = norm3(x + dropout(W2 activation(W1 x + b1) + b2))
// (pre-norm with normalize_first). Sublayers, named and ordered as
// keras_hub's: self_attention, self_attention_layer_norm, cross_attention,
// cross_attention_layer_norm, feedforward_intermediate_dense,
// feedforward_output_dense, feedforward_layer_norm.
// keras_hub's weightless Dropout sublayers are here one fused op with the
// residual add (ops/dropout_add.hpp).
//
// Masks: input 0's mask is keras_hub's decoder_padding_mask, input 1's its
// encoder_padding_mask; self-attention is causal unless use_causal_mask is
// false (keras_hub's call argument, default true; fixed at construction and
// written to the config only when false). With return_attention_scores the
// outputs are [x, scores (batch, heads, T, S)] of the cross-attention (of
// the self-attention without an encoder).
//
// decode_step() runs the block on new decoder steps only, keeping each
// attention's projected keys and values in a TransformerDecoderCache, so a
// decoded step costs one position, not the whole prefix.

#include <random>
#include <string>

#include "layers/dense.hpp"
#include "layers/layer_config.hpp"
#include "layers/layer_normalization.hpp"
#include "layers/multi_head_attention.hpp"
#include "layers/transformer_block_options.hpp"

namespace kiln {

struct TransformerDecoderOptions {
  std::size_t intermediate_dim = 0;
  std::size_t num_heads = 0;
  float dropout = 0.0f;
  std::string activation = "relu";
  float layer_norm_epsilon = 1e-5f;
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec bias_initializer = "zeros";
  bool normalize_first = false;
  bool use_causal_mask = true;           // keras_hub's call arguments
  bool return_attention_scores = false;
  std::string name = {};
  static constexpr auto fields() { return transformer_block_fields<TransformerDecoderOptions>(); }
};

// The projected keys and values a decoder block has seen while decoding.
struct TransformerDecoderCache {
  AttentionCache self, cross;
  std::size_t steps() const { return self.steps(); }
  // Keeps the batch rows `rows` (in that order, repeats allowed): beam
  // search's reordering of its hypotheses.
  void select_rows(const std::vector<std::size_t>& rows);
};

class TransformerDecoderLayer : public KerasLayer<TransformerDecoderLayer, TransformerDecoderOptions> {
 public:
  static constexpr const char* keras_name = "TransformerDecoder";
  explicit TransformerDecoderLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);
  nlohmann::json get_config() const override;

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

  bool has_cross_attention() const { return cross_attention_ != nullptr; }
  const std::shared_ptr<MultiHeadAttentionLayer>& self_attention() const { return self_attention_; }
  const std::shared_ptr<MultiHeadAttentionLayer>& cross_attention() const { return cross_attention_; }

  // Inference on the new steps x (batch, t, hidden) following cache.steps()
  // earlier ones: the same result as calling the layer on the whole prefix
  // and keeping its last t steps. `encoder_sequence` is needed at the first
  // step only (its keys and values are cached); `encoder_mask` (batch, S) at
  // every step. `cross_weights`, if set, receives (batch, heads, t, S).
  Tensor decode_step(const Tensor& x, const Tensor* encoder_sequence, TransformerDecoderCache& cache,
                     const Array* encoder_mask = nullptr, Array* cross_weights = nullptr);

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  // The feed-forward block with its residual and norm.
  Tensor feedforward(const Tensor& x, const CallContext& context);

  std::shared_ptr<MultiHeadAttentionLayer> self_attention_, cross_attention_;
  std::shared_ptr<LayerNormalizationLayer> self_attention_norm_, cross_attention_norm_, feedforward_norm_;
  std::shared_ptr<DenseLayer> intermediate_, output_;
  std::mt19937_64 rng_;  // the residual dropouts' (ops/dropout_add)
};

using TransformerDecoder = LayerHandle<TransformerDecoderLayer>;

}  // namespace kiln
