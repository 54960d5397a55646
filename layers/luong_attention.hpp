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

namespace kiln {

class LuongAttentionLayer : public BaseAttentionLayer {
 public:
  struct Options {
    std::string score = "dot";  // "dot" or "general"
    std::string kernel_initializer = "glorot_uniform";  // for W ("general" only)
    std::string name = {};
  };
  explicit LuongAttentionLayer(Options options);
  // The inverse of get_config() (see layers/registry.hpp).
  static Options options_from_config(const nlohmann::json& config);

  const Options& options() const { return options_; }
  Tensor W() const { return W_; }  // (D, E); undefined for "dot"

  nlohmann::json get_config() const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  Tensor scores(const Tensor& encoder_out, const Tensor& decoder_out) override;

 private:
  bool is_dot() const { return options_.score == "dot"; }
  void check_dot_widths(const PartialShape& encoder, const PartialShape& decoder) const;

  Options options_;
  Tensor W_;
};

using LuongAttention = LayerHandle<LuongAttentionLayer>;

}  // namespace kiln
