#pragma once
// LuongAttention: multiplicative attention (Luong et al. 2015,
// arXiv:1508.04025). Same call contract as BahdanauAttention: called on
// [encoder_out (B, Te, E), decoder_out (B, Td, D)] it returns
// [context (B, Td, E), weights (B, Td, Te)], with
//     score "dot":     e[b, i, j] = decoder_out[b, i] . encoder_out[b, j]      (needs D == E, no weights)
//     score "general": e[b, i, j] = decoder_out[b, i] W encoder_out[b, j]     (W is (D, E), named "W")
//     weights[b, i, :] = softmax over j of e[b, i, :]
//     context[b, i]    = sum_j weights[b, i, j] encoder_out[b, j]
// Each score is one batched GEMM (two for "general") over all decoder steps.
//
// Keras' own Attention layer is the "dot" score (query = decoder_out,
// key = value = encoder_out), optionally multiplied by a learned scalar
// (use_scale); Keras takes its inputs as [query, value], the reverse of the
// [encoder_out, decoder_out] order used here and by the seed.
//
// An optional encoder mask (B, Te) goes in CallContext::mask: see
// layers/base_attention.hpp for what it does.

#include <string>

#include "layers/base_attention.hpp"
#include "layers/layer_config.hpp"

namespace kiln {

struct LuongAttentionOptions {
  std::string score = "dot";                            // "dot" or "general"
  InitializerSpec kernel_initializer = "glorot_uniform";  // for W ("general" only)
  std::string name = {};
  static constexpr auto fields() {
    using O = LuongAttentionOptions;
    return std::tuple{config::field("score", &O::score), config::field("kernel_initializer", &O::kernel_initializer)};
  }
};

class LuongAttentionLayer : public KerasLayer<LuongAttentionLayer, LuongAttentionOptions, BaseAttentionLayer> {
 public:
  static constexpr const char* keras_name = "LuongAttention";
  explicit LuongAttentionLayer(Options options);
  Tensor W() const { return W_; }  // (D, E); undefined for "dot"


 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  Tensor scores(const Tensor& encoder_out, const Tensor& decoder_out) override;

 private:
  bool is_dot() const { return options_.score == "dot"; }
  void check_dot_widths(const PartialShape& encoder, const PartialShape& decoder) const;

  Tensor W_;
};

using LuongAttention = LayerHandle<LuongAttentionLayer>;

}  // namespace kiln
