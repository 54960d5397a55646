#pragma once
// Embedding: integer ids (batch, time), stored as floats, -> their rows of a
// trainable (input_dim, output_dim) table, (batch, time, output_dim).
// With mask_zero, id 0 is padding: compute_mask gives (ids != 0) so later
// recurrent layers skip those steps, as in Keras.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct EmbeddingOptions {
  std::size_t input_dim = 0;   // vocabulary size: ids are in [0, input_dim)
  std::size_t output_dim = 0;  // width of each embedding vector
  InitializerSpec embeddings_initializer = "random_uniform";  // Keras' 'uniform': U(-0.05, 0.05)
  bool mask_zero = false;
  std::string name = {};
  static constexpr auto fields() {
    using O = EmbeddingOptions;
    return std::tuple{config::field("input_dim", &O::input_dim), config::field("output_dim", &O::output_dim),
                      config::field("embeddings_initializer", &O::embeddings_initializer),
                      config::field("mask_zero", &O::mask_zero)};
  }
};

class EmbeddingLayer : public KerasLayer<EmbeddingLayer, EmbeddingOptions> {
 public:
  static constexpr const char* keras_name = "Embedding";
  explicit EmbeddingLayer(Options options);
  Tensor embeddings() const { return embeddings_; }  // (input_dim, output_dim)

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  // (ids != 0) as 1/0 floats, (batch, time), with mask_zero; none otherwise.
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  // The table does not depend on the input's size: any (batch, time) fits.
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  void check_ids(const Array& ids) const;

  Tensor embeddings_;
};

using Embedding = LayerHandle<EmbeddingLayer>;

}  // namespace kiln
