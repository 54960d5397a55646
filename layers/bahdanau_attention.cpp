#include "layers/bahdanau_attention.hpp"

#include <nlohmann/json.hpp>

#include "ops/additive_attention.hpp"
#include "ops/matmul.hpp"

namespace kiln {

BahdanauAttentionLayer::BahdanauAttentionLayer(Options options)
    : KerasLayer(std::move(options)) {}

void BahdanauAttentionLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  BaseAttentionLayer::validate_inputs(shapes);
  known_last_dim(shapes[0]);
  known_last_dim(shapes[1]);
}

void BahdanauAttentionLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t encoder_width = known_last_dim(shapes[0]);
  const std::size_t decoder_width = known_last_dim(shapes[1]);
  const Initializer init = options_.initializer.make();
  W_a_ = add_weight("W_a", {encoder_width, encoder_width}, init);
  U_a_ = add_weight("U_a", {decoder_width, encoder_width}, init);
  V_a_ = add_weight("V_a", {encoder_width, 1}, init);
}

// Fused: the (B, Td, Te, E) tanh tensor is written once and read once (see
// ops/additive_attention.hpp); composed from broadcast add, tanh and matmul it
// was 15-30x slower on the seed's shapes.
Tensor BahdanauAttentionLayer::scores(const Tensor& encoder_out, const Tensor& decoder_out) {
  const Tensor keys = matmul(encoder_out, W_a_);     // (B, Te, E): one GEMM for every encoder step
  const Tensor queries = matmul(decoder_out, U_a_);  // (B, Td, E): one GEMM for every decoder step
  return additive_attention_scores(keys, queries, V_a_);
}

}  // namespace kiln
