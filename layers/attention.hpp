#pragma once
// Attention: Keras 3's dot-product (Luong-style) attention layer, with
// [query, value(, key)] inputs and the masks of layers/query_value_attention.hpp.
//     score_mode "dot":    scores = query key^T              (times `scale` with use_scale)
//     score_mode "concat": scores = concat_score_weight * sum_k tanh(query_k + key_k)
//                          (the sum inside tanh times `scale` with use_scale)
// Weights, Keras' get_weights() order: scale () with use_scale, then
// concat_score_weight () for "concat", both initialised to 1.

#include <string>

#include "layers/layer_config.hpp"
#include "layers/query_value_attention.hpp"

namespace kiln {

struct AttentionOptions {
  bool use_scale = false;
  std::string score_mode = "dot";  // "dot" or "concat"
  float dropout = 0.0f;            // on the weights, when training
  bool use_causal_mask = false;    // Keras' call argument (see query_value_attention.hpp)
  bool return_attention_scores = false;
  std::string name = {};
  static constexpr auto fields() {
    using O = AttentionOptions;
    return std::tuple{config::field("use_scale", &O::use_scale), config::field("score_mode", &O::score_mode),
                      config::field("dropout", &O::dropout)};
  }
};

class AttentionLayer : public KerasLayer<AttentionLayer, AttentionOptions, QueryValueAttentionLayer> {
 public:
  static constexpr const char* keras_name = "Attention";
  explicit AttentionLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);
  nlohmann::json get_config() const override;

  Tensor scale() const { return scale_; }                              // (), undefined without use_scale
  Tensor concat_score_weight() const { return concat_score_weight_; }  // (), "concat" only

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  Tensor scores(const Tensor& query, const Tensor& key) override;
  float dropout_rate() const override { return options_.dropout; }
  AttentionCallFlags call_flags() const override { return {options_.use_causal_mask, options_.return_attention_scores}; }

 private:
  Tensor scale_, concat_score_weight_;
};

using Attention = LayerHandle<AttentionLayer>;

}  // namespace kiln
