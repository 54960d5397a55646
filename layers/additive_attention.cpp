#include "layers/additive_attention.hpp"

#include "ops/additive_attention.hpp"

namespace kiln {

AdditiveAttentionLayer::AdditiveAttentionLayer(Options options) : KerasLayer(std::move(options)) {
  if (!(options_.dropout >= 0.0f && options_.dropout < 1.0f)) throw Error(describe() + ": dropout must be in [0, 1)");
}

AdditiveAttentionLayer::Options AdditiveAttentionLayer::options_from_config(const nlohmann::json& config) {
  Options options = config::read_options<Options>(config, keras_name, attention_call_keys);
  const AttentionCallFlags flags = read_attention_call_flags(config, keras_name);
  options.use_causal_mask = flags.use_causal_mask;
  options.return_attention_scores = flags.return_attention_scores;
  return options;
}

nlohmann::json AdditiveAttentionLayer::get_config() const {
  nlohmann::json config = KerasLayer::get_config();
  write_attention_call_flags(call_flags(), config);
  return config;
}

void AdditiveAttentionLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  QueryValueAttentionLayer::validate_inputs(shapes);
  check_same_width(shapes);
  if (options_.use_scale && shapes[0][2] == unknown_dim) fail("the query's last axis must be known to build, got " + to_string(shapes[0]));
}

void AdditiveAttentionLayer::build(const std::vector<PartialShape>& shapes) {
  if (options_.use_scale) scale_ = add_weight("scale", {std::size_t(shapes[0][2])}, InitializerSpec("glorot_uniform").make());
}

Tensor AdditiveAttentionLayer::scores(const Tensor& query, const Tensor& key) {
  if (options_.use_scale) return additive_attention_scores(key, query, scale_);
  Array ones = Array::from_shape({query.shape(2)});
  ones.fill(1.0f);
  return additive_attention_scores(key, query, Tensor(std::move(ones)));
}

}  // namespace kiln
