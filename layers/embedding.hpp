#pragma once
// Embedding: integer ids (batch, time), stored as floats, -> their rows of a
// trainable (input_dim, output_dim) table, (batch, time, output_dim).
// With mask_zero, id 0 is padding: compute_mask gives (ids != 0) so later
// recurrent layers skip those steps, as in Keras.

#include <string>

#include "layers/layer.hpp"

namespace kiln {

class EmbeddingLayer : public Layer {
 public:
  struct Options {
    std::size_t input_dim = 0;   // vocabulary size: ids are in [0, input_dim)
    std::size_t output_dim = 0;  // width of each embedding vector
    std::string embeddings_initializer = "random_uniform";  // Keras' 'uniform': U(-0.05, 0.05)
    bool mask_zero = false;
    std::string name = {};
  };
  explicit EmbeddingLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);  // see layers/registry.hpp

  const Options& options() const { return options_; }
  Tensor embeddings() const { return embeddings_; }  // (input_dim, output_dim)

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  // (ids != 0) as 1/0 floats, (batch, time), with mask_zero; none otherwise.
  std::optional<Array> compute_mask(const std::vector<Tensor>& inputs, const Array* mask) const override;
  nlohmann::json get_config() const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  // The table does not depend on the input's size: any (batch, time) fits.
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  void check_ids(const Array& ids) const;

  Options options_;
  Tensor embeddings_;
};

using Embedding = LayerHandle<EmbeddingLayer>;

}  // namespace kiln
