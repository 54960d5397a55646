#pragma once
// TransformerEncoder (keras_hub): one encoder block of "Attention Is All You
// Need", input (batch, T, hidden) -> output of the same shape:
//     x = norm1(x + dropout(self_attention(x, x)))      (post-norm, the default)
//     x = norm2(x + dropout(W2 activation(W1 x + b1) + b2))
// or with normalize_first (pre-norm, GPT-2 style)
//     x = x + dropout(self_attention(norm1(x)));  x = x + dropout(ffn(norm2(x)))
// Self-attention has num_heads heads of hidden / num_heads. Sublayers, named
// and ordered as keras_hub's (so get_weights() matches): self_attention_layer
// (MultiHeadAttention), self_attention_layer_norm, feedforward_layer_norm,
// feedforward_intermediate_dense, feedforward_output_dense.
// keras_hub's weightless Dropout sublayers are here one fused op with the
// residual add (ops/dropout_add.hpp).
//
// Inputs: [x] or [x, attention_mask (batch, T, T)]. x's mask (its own, or
// CallContext::masks) is keras_hub's padding_mask: padded steps are hidden
// from every query; the output carries it on. With return_attention_scores
// (keras_hub's call argument, fixed here at construction and written to the
// config only when true) the outputs are [x, scores (batch, heads, T, T)].

#include <random>
#include <string>

#include "layers/dense.hpp"
#include "layers/layer_config.hpp"
#include "layers/layer_normalization.hpp"
#include "layers/multi_head_attention.hpp"
#include "layers/transformer_block_options.hpp"

namespace kiln {

struct TransformerEncoderOptions {
  std::size_t intermediate_dim = 0;
  std::size_t num_heads = 0;
  float dropout = 0.0f;
  std::string activation = "relu";
  float layer_norm_epsilon = 1e-5f;
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec bias_initializer = "zeros";
  bool normalize_first = false;
  bool return_attention_scores = false;  // keras_hub's call argument
  std::string name = {};
  static constexpr auto fields() { return transformer_block_fields<TransformerEncoderOptions>(); }
};

class TransformerEncoderLayer : public KerasLayer<TransformerEncoderLayer, TransformerEncoderOptions> {
 public:
  static constexpr const char* keras_name = "TransformerEncoder";
  explicit TransformerEncoderLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);
  nlohmann::json get_config() const override;

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

  // The sublayers, null before build.
  const std::shared_ptr<MultiHeadAttentionLayer>& self_attention() const { return self_attention_; }

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  std::shared_ptr<MultiHeadAttentionLayer> self_attention_;
  std::shared_ptr<LayerNormalizationLayer> self_attention_norm_, feedforward_norm_;
  std::shared_ptr<DenseLayer> intermediate_, output_;
  std::mt19937_64 rng_;  // the residual dropouts' (ops/dropout_add: dropout and the residual add in one pass)
};

using TransformerEncoder = LayerHandle<TransformerEncoderLayer>;

// W2 activation(W1 x + b1) + b2 with the two Dense layers' weights, each
// projection one fused op (ops/linear.hpp) when the activation is relu or
// linear, else through the layers. Shared by the encoder and decoder blocks.
Tensor transformer_feedforward(DenseLayer& intermediate, DenseLayer& output, const Tensor& x, const CallContext& context);

}  // namespace kiln
