#pragma once
// AdditiveAttention: Keras 3's additive (Bahdanau-style) attention layer,
// with [query, value(, key)] inputs and the masks of
// layers/query_value_attention.hpp:
//     scores[b, i, j] = sum_k scale[k] tanh(query[b, i, k] + key[b, j, k])
// (scale = 1 without use_scale). Weights: scale (dim), glorot_uniform, with
// use_scale. Query and key must have one width; no projection is learned
// (the seed's BahdanauAttention is the one with W_a, U_a and v).

#include "layers/layer_config.hpp"
#include "layers/query_value_attention.hpp"

namespace kiln {

struct AdditiveAttentionOptions {
  bool use_scale = true;
  float dropout = 0.0f;
  bool use_causal_mask = false;  // Keras' call arguments (see query_value_attention.hpp)
  bool return_attention_scores = false;
  std::string name = {};
  static constexpr auto fields() {
    using O = AdditiveAttentionOptions;
    return std::tuple{config::field("use_scale", &O::use_scale), config::field("dropout", &O::dropout)};
  }
};

class AdditiveAttentionLayer
    : public KerasLayer<AdditiveAttentionLayer, AdditiveAttentionOptions, QueryValueAttentionLayer> {
 public:
  static constexpr const char* keras_name = "AdditiveAttention";
  explicit AdditiveAttentionLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);
  nlohmann::json get_config() const override;

  Tensor scale() const { return scale_; }  // (dim), undefined without use_scale

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  Tensor scores(const Tensor& query, const Tensor& key) override;
  float dropout_rate() const override { return options_.dropout; }
  AttentionCallFlags call_flags() const override { return {options_.use_causal_mask, options_.return_attention_scores}; }

 private:
  Tensor scale_;
};

using AdditiveAttention = LayerHandle<AdditiveAttentionLayer>;

}  // namespace kiln
