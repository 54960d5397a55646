#pragma once
// MultiHeadAttention (Keras 3), attending over the sequence axis:
//     q = query Wq + bq   (B, T, H, key_dim)     Wq (dim_q, H, key_dim), bq (H, key_dim)
//     k = key   Wk + bk   (B, S, H, key_dim)     Wk (dim_k, H, key_dim), bk (H, key_dim)
//     v = value Wv + bv   (B, S, H, value_dim)   Wv (dim_v, H, value_dim), bv (H, value_dim)
//     a[b, i, h] = sum_j softmax_j(q[b, i, h] . k[b, j, h] / sqrt(key_dim)) v[b, j, h]
//     output = a Wo + bo  (B, T, output_shape)   Wo (H, value_dim, output_shape), bo (output_shape)
// output_shape defaults to the query's width. Weights in Keras' get_weights()
// order: query kernel, bias, key kernel, bias, value kernel, bias, output
// kernel, bias (no biases without use_bias). The attention itself is one
// fused op (ops/dot_product_attention.hpp).
//
// Inputs: [query (B, T, dim_q), value (B, S, dim_v)], [query, value, key
// (B, S, dim_k)], or [query, value, key, attention_mask (B, T, S)] (pass
// value again as key to give a mask without a separate key); the mask holds
// 1 where query i may attend to key j.
// Masks, as Keras 3: the query's mask (input 0's) hides the rows of padded
// query steps, the value's (input 1's) and the key's (input 2's, when key is
// another tensor) hide padded key steps; with attention_mask and
// use_causal_mask they are ANDed. The output carries the query's mask.
// use_causal_mask and return_attention_scores are fixed at construction, as
// for Attention (layers/query_value_attention.hpp); the scores returned,
// (B, H, T, S), carry no gradient.
//
// For step-by-step decoding, attend_cached() projects only the new query
// steps and the new key/value steps, appending the latter to a cache.

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "layers/layer_config.hpp"
#include "layers/query_value_attention.hpp"

namespace kiln {

struct MultiHeadAttentionOptions {
  std::size_t num_heads = 0;
  std::size_t key_dim = 0;
  std::optional<std::size_t> value_dim = {};  // none: key_dim (Keras writes the resolved number)
  float dropout = 0.0f;
  bool use_bias = true;
  std::optional<std::vector<std::size_t>> output_shape = {};  // none: the query's width
  std::optional<std::vector<int>> attention_axes = {};        // none, or the sequence axis only
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec bias_initializer = "zeros";
  std::optional<std::uint64_t> seed = {};  // dropout's generator
  bool use_causal_mask = false;            // Keras' call arguments
  bool return_attention_scores = false;
  std::string name = {};
  static constexpr auto fields() {
    using O = MultiHeadAttentionOptions;
    return std::tuple{config::field("num_heads", &O::num_heads),
                      config::field("key_dim", &O::key_dim),
                      config::field("value_dim", &O::value_dim),
                      config::field("dropout", &O::dropout),
                      config::field("use_bias", &O::use_bias),
                      config::field("output_shape", &O::output_shape),
                      config::field("attention_axes", &O::attention_axes),
                      config::field("kernel_initializer", &O::kernel_initializer),
                      config::field("bias_initializer", &O::bias_initializer),
                      config::field("seed", &O::seed)};
  }
};

// The keys and values a decoder's attention has seen so far, projected:
// (B, steps, H * key_dim) and (B, steps, H * value_dim), held as tensors so
// each step passes them to the attention without a copy. Empty to start.
struct AttentionCache {
  Tensor key, value;
  std::size_t steps() const { return key.defined() ? key.shape(1) : 0; }
  std::size_t rows() const { return key.defined() ? key.shape(0) : 0; }
  // Keeps the batch rows `rows` (in that order, repeats allowed): beam
  // search's reordering of its hypotheses.
  void select_rows(const std::vector<std::size_t>& rows);
};

class MultiHeadAttentionLayer : public KerasLayer<MultiHeadAttentionLayer, MultiHeadAttentionOptions> {
 public:
  static constexpr const char* keras_name = "MultiHeadAttention";
  explicit MultiHeadAttentionLayer(Options options);
  static Options options_from_config(const nlohmann::json& config);
  nlohmann::json get_config() const override;

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

  std::size_t value_dim() const { return *options_.value_dim; }

  // Inference for decoding, no gradient: attends `query` (B, t, dim_q) to
  // the cache plus `value`/`key` (B, s, dim) (key null: value), which are
  // projected and appended to `cache` first. `value` may be null when the
  // cache already holds everything (cross-attention after its first step).
  // With `causal`, new query i sits at position cache.steps() - t + i after
  // the append (self-attention). `key_mask` (B, steps after the append) hides
  // padded keys. `weights`, if set, receives (B, H, t, steps).
  Tensor attend_cached(const Tensor& query, const Tensor* value, const Tensor* key, AttentionCache& cache,
                       bool causal, const Array* key_mask = nullptr, Array* weights = nullptr);

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  // x (B, T, dim) through kernel (dim, H, w) and bias (H, w) -> (B, T, H * w).
  Tensor project(const Tensor& x, const Tensor& kernel, const Tensor& bias) const;
  // x through the query, key and value kernels side by side: (B, T, 3 * H * key_dim).
  Tensor project_packed(const Tensor& x) const;
  // attended (B, T, H * value_dim) -> (B, T, output_shape...).
  Tensor output_projection(const Tensor& attended) const;
  std::size_t output_width() const;
  float scale() const;

  Tensor query_kernel_, query_bias_, key_kernel_, key_bias_, value_kernel_, value_bias_, output_kernel_, output_bias_;
  std::vector<std::size_t> output_dims_;  // resolved output_shape
  std::mt19937_64 rng_;
};

using MultiHeadAttention = LayerHandle<MultiHeadAttentionLayer>;

}  // namespace kiln
