#pragma once
// BahdanauAttention: additive attention (Bahdanau et al. 2015,
// arXiv:1409.0473), as the AttentionLayer of thushv89's attention_keras,
// which the NMT example ports. Called on [encoder_out (B, Te, E),
// decoder_out (B, Td, D)] it returns [context (B, Td, E), weights (B, Td, Te)]:
//     e[b, i, j]       = V_a . tanh(encoder_out[b, j] W_a + decoder_out[b, i] U_a)
//     weights[b, i, :] = softmax over j of e[b, i, :]
//     context[b, i]    = sum_j weights[b, i, j] encoder_out[b, j]
// with W_a (E, E), U_a (D, E), V_a (E, 1) and no biases. E and D may differ;
// both must be known to build. All decoder steps are scored at once, so a
// training step costs two GEMMs, one fused score op and one batched GEMM.
//
// An optional encoder mask (B, Te) goes in CallContext::mask: see
// layers/base_attention.hpp for what it does.

#include <string>

#include "layers/base_attention.hpp"
#include "layers/layer_config.hpp"

namespace kiln {

struct BahdanauAttentionOptions {
  // Keras' 'uniform', i.e. RandomUniform(-0.05, 0.05): what the seed uses.
  InitializerSpec initializer = "random_uniform";
  std::string name = {};
  static constexpr auto fields() {
    return std::tuple{config::field("initializer", &BahdanauAttentionOptions::initializer)};
  }
};

class BahdanauAttentionLayer : public KerasLayer<BahdanauAttentionLayer, BahdanauAttentionOptions, BaseAttentionLayer> {
 public:
  static constexpr const char* keras_name = "BahdanauAttention";
  explicit BahdanauAttentionLayer(Options options);
  Tensor W_a() const { return W_a_; }  // (E, E)
  Tensor U_a() const { return U_a_; }  // (D, E)
  Tensor V_a() const { return V_a_; }  // (E, 1)


 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  Tensor scores(const Tensor& encoder_out, const Tensor& decoder_out) override;

 private:
  Tensor W_a_, U_a_, V_a_;
};

using BahdanauAttention = LayerHandle<BahdanauAttentionLayer>;

}  // namespace kiln
