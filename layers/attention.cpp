#include "layers/attention.hpp"

#include "ops/additive_attention.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"

namespace kiln {

AttentionLayer::AttentionLayer(Options options) : KerasLayer(std::move(options)) {
  if (options_.score_mode != "dot" && options_.score_mode != "concat") {
    throw Error(describe() + ": score_mode must be \"dot\" or \"concat\", got \"" + options_.score_mode + "\"");
  }
  if (!(options_.dropout >= 0.0f && options_.dropout < 1.0f)) throw Error(describe() + ": dropout must be in [0, 1)");
}

AttentionLayer::Options AttentionLayer::options_from_config(const nlohmann::json& config) {
  Options options = config::read_options<Options>(config, keras_name, attention_call_keys);
  const AttentionCallFlags flags = read_attention_call_flags(config, keras_name);
  options.use_causal_mask = flags.use_causal_mask;
  options.return_attention_scores = flags.return_attention_scores;
  return options;
}

nlohmann::json AttentionLayer::get_config() const {
  nlohmann::json config = KerasLayer::get_config();
  write_attention_call_flags(call_flags(), config);
  return config;
}

void AttentionLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  QueryValueAttentionLayer::validate_inputs(shapes);
  check_same_width(shapes);
}

void AttentionLayer::build(const std::vector<PartialShape>&) {
  if (options_.use_scale) scale_ = add_weight("scale", {}, InitializerSpec("ones").make());
  if (options_.score_mode == "concat") {
    concat_score_weight_ = add_weight("concat_score_weight", {}, InitializerSpec("ones").make());
  }
}

Tensor AttentionLayer::scores(const Tensor& query, const Tensor& key) {
  if (options_.score_mode == "dot") {
    Tensor e = matmul(query, key, {.transpose_b = true});  // (B, Tq, Tv)
    return options_.use_scale ? e * scale_ : e;
  }
  // sum_k tanh(s q_k + s k_k) is the additive score of s q and s k with v = 1.
  Array ones = Array::from_shape({query.shape(2)});
  ones.fill(1.0f);
  const Tensor q = options_.use_scale ? query * scale_ : query;
  const Tensor k = options_.use_scale ? key * scale_ : key;
  return additive_attention_scores(k, q, Tensor(std::move(ones))) * concat_score_weight_;
}

}  // namespace kiln
