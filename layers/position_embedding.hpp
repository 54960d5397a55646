#pragma once
// PositionEmbedding (keras_hub): a learned (sequence_length, features) table
// whose first T rows are the output for an input (batch, T, features),
// broadcast over the batch; the input's values are not used, only its shape.
// The weight is "embeddings". T may not exceed sequence_length (keras_hub's
// hierarchical extrapolation past it is not implemented: a ShapeError says
// so). Like keras_hub's, the layer drops masks.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct PositionEmbeddingOptions {
  std::size_t sequence_length = 0;
  InitializerSpec initializer = "glorot_uniform";
  float hierarchical_alpha = 0.4f;  // keras_hub's, used only past sequence_length
  std::string name = {};
  static constexpr auto fields() {
    using O = PositionEmbeddingOptions;
    return std::tuple{config::field("sequence_length", &O::sequence_length),
                      config::field("hierarchical_alpha", &O::hierarchical_alpha),
                      config::field("initializer", &O::initializer)};
  }
};

class PositionEmbeddingLayer : public KerasLayer<PositionEmbeddingLayer, PositionEmbeddingOptions> {
 public:
  static constexpr const char* keras_name = "PositionEmbedding";
  explicit PositionEmbeddingLayer(Options options);

  Tensor embeddings() const { return embeddings_; }  // (sequence_length, features)
  // Rows start_index .. start_index + length - 1, (length, features): keras_hub's
  // start_index, for decoding one position at a time.
  Tensor positions(std::size_t length, std::size_t start_index = 0) const;

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  Tensor embeddings_;
};

using PositionEmbedding = LayerHandle<PositionEmbeddingLayer>;

}  // namespace kiln
