#pragma once
// What Keras 3's Attention and AdditiveAttention share: called on
// [query (B, Tq, dim), value (B, Tv, dim)] or [query, value, key (B, Tv, dim)]
// (key defaults to value), they compute
//     scores  = score(query, key)                               (B, Tq, Tv)
//     weights = softmax over the last axis of the masked scores
//     output  = weights value                                   (B, Tq, dim_v)
// and return [output] or, with return_attention_scores, [output, weights].
//
// Masks, as Keras 3: input 0's mask (the query's) zeroes the output at
// padded query steps, input 1's (the value's) hides padded value steps from
// every query (its scores are lowered by 1e9, so a row with every step
// hidden gets uniform weights rather than NaN); use_causal_mask hides steps
// j > i. The output carries the query's mask; the weights carry none.
// Dropout, when training, drops weights after the softmax.
//
// use_causal_mask and return_attention_scores are arguments of Keras' call();
// a kiln layer fixes them at construction (a recorded graph replays its
// calls without arguments). They are written to the config only when true,
// so a Keras config, which never holds them, reads as it is.

#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "layers/layer.hpp"

namespace kiln {

// The two call arguments above, read from / written to a config.
struct AttentionCallFlags {
  bool use_causal_mask = false;
  bool return_attention_scores = false;
};
inline const std::vector<std::string> attention_call_keys = {"use_causal_mask", "return_attention_scores"};
AttentionCallFlags read_attention_call_flags(const nlohmann::json& config, const std::string& class_name);
void write_attention_call_flags(const AttentionCallFlags& flags, nlohmann::json& config);

class QueryValueAttentionLayer : public Layer {
 public:
  // [(B, Tq, dim_v)] and, returning scores, (B, Tq, Tv).
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const final;
  // The output's mask is the query's.
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  QueryValueAttentionLayer(std::string class_name, std::string name);

  // 2 or 3 rank-3 inputs with one batch, value and key of one length.
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) final;

  // scores[b, i, j] for query step i and key step j, (B, Tq, Tv).
  virtual Tensor scores(const Tensor& query, const Tensor& key) = 0;
  virtual float dropout_rate() const = 0;
  virtual AttentionCallFlags call_flags() const = 0;

  // Throws ShapeError naming the layer and both shapes unless the query's
  // and the key's last axes agree (the scores need it).
  void check_same_width(const std::vector<PartialShape>& shapes) const;

 private:
  std::mt19937_64 rng_;
};

}  // namespace kiln
