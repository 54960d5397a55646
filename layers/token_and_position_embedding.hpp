#pragma once
// TokenAndPositionEmbedding (keras_hub): ids (batch, T) -> token embedding
// plus learned position embedding, (batch, T, embedding_dim). Its two
// sublayers, as keras_hub names them, hold the weights in its get_weights()
// order: token_embedding/embeddings (vocabulary_size, embedding_dim), then
// position_embedding/embeddings (sequence_length, embedding_dim). With
// mask_zero the output carries (ids != 0). keras_hub's token embedding is a
// ReversibleEmbedding; kiln has no reverse projection, so tie_weights must
// stay true (its default: no extra weight).

#include <string>

#include "layers/embedding.hpp"
#include "layers/layer_config.hpp"
#include "layers/position_embedding.hpp"

namespace kiln {

struct TokenAndPositionEmbeddingOptions {
  std::size_t vocabulary_size = 0;
  std::size_t sequence_length = 0;
  std::size_t embedding_dim = 0;
  bool tie_weights = true;
  InitializerSpec embeddings_initializer = "uniform";
  bool mask_zero = false;
  std::string name = {};
  static constexpr auto fields() {
    using O = TokenAndPositionEmbeddingOptions;
    return std::tuple{config::field("vocabulary_size", &O::vocabulary_size),
                      config::field("sequence_length", &O::sequence_length),
                      config::field("embedding_dim", &O::embedding_dim),
                      config::field("embeddings_initializer", &O::embeddings_initializer),
                      config::field("tie_weights", &O::tie_weights),
                      config::field("mask_zero", &O::mask_zero)};
  }
};

class TokenAndPositionEmbeddingLayer
    : public KerasLayer<TokenAndPositionEmbeddingLayer, TokenAndPositionEmbeddingOptions> {
 public:
  static constexpr const char* keras_name = "TokenAndPositionEmbedding";
  explicit TokenAndPositionEmbeddingLayer(Options options);

  const Embedding& token_embedding() const { return token_embedding_; }
  const PositionEmbedding& position_embedding() const { return position_embedding_; }
  // ids (batch, T) placed at positions start_index .. start_index + T - 1
  // (keras_hub's start_index, for decoding one step at a time).
  Tensor embed(const Tensor& ids, std::size_t start_index, const CallContext& context = {});

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // any (batch, T)
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  Embedding token_embedding_;
  PositionEmbedding position_embedding_;
};

using TokenAndPositionEmbedding = LayerHandle<TokenAndPositionEmbeddingLayer>;

}  // namespace kiln
