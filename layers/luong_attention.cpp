#include "layers/luong_attention.hpp"

#include <nlohmann/json.hpp>

#include "ops/matmul.hpp"

namespace kiln {

LuongAttentionLayer::LuongAttentionLayer(Options options)
    : KerasLayer(std::move(options)) {
  if (options_.score != "dot" && options_.score != "general") {
    throw Error(describe() + ": unknown score '" + options_.score + "' (known: dot, general)");
  }
}

void LuongAttentionLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  BaseAttentionLayer::validate_inputs(shapes);
  if (is_dot()) {
    check_dot_widths(shapes[0], shapes[1]);
  } else {
    known_last_dim(shapes[0]);
    known_last_dim(shapes[1]);
  }
}

// Unknown widths pass here and are checked again on the real tensors.
void LuongAttentionLayer::check_dot_widths(const PartialShape& encoder, const PartialShape& decoder) const {
  if (encoder[2] != unknown_dim && decoder[2] != unknown_dim && encoder[2] != decoder[2]) {
    fail("score 'dot' needs decoder_out and encoder_out of the same width, got decoder width " +
         std::to_string(decoder[2]) + " " + to_string(decoder) + " and encoder width " + std::to_string(encoder[2]) +
         " " + to_string(encoder) + " (score 'general' allows different widths)");
  }
}

void LuongAttentionLayer::build(const std::vector<PartialShape>& shapes) {
  if (is_dot()) return;  // no weights
  const std::size_t encoder_width = known_last_dim(shapes[0]);
  const std::size_t decoder_width = known_last_dim(shapes[1]);
  W_ = add_weight("W", {decoder_width, encoder_width}, options_.kernel_initializer.make());
}

Tensor LuongAttentionLayer::scores(const Tensor& encoder_out, const Tensor& decoder_out) {
  if (is_dot()) {
    check_dot_widths(partial_shape_of(encoder_out.shape()), partial_shape_of(decoder_out.shape()));
    return matmul(decoder_out, encoder_out, {.transpose_b = true});  // (B, Td, D) x (B, Te, D)^T
  }
  const Tensor projected = matmul(decoder_out, W_);            // (B, Td, E): one GEMM for every decoder step
  return matmul(projected, encoder_out, {.transpose_b = true});  // (B, Td, E) x (B, Te, E)^T
}

}  // namespace kiln
