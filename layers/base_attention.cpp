#include "layers/base_attention.hpp"

#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/softmax.hpp"

namespace kiln {

namespace {

constexpr const char* base_attention_inputs =
    "[encoder_out (batch, encoder_time, encoder_features), decoder_out (batch, decoder_time, decoder_features)]";

// Added to the scores of masked encoder positions: exp(score - 1e9 - max)
// underflows to exactly 0 in float32 whenever one position is kept.
constexpr float masked_score_offset = -1e9f;

// (B, Te) mask -> (B, 1, Te) offsets that broadcast over the decoder steps.
Array mask_offsets(const Array& mask) {
  const std::size_t batch = mask.shape()[0], time = mask.shape()[1];
  Array offsets = Array::from_shape({batch, 1, time});
  for (std::size_t i = 0; i < mask.size(); ++i) {
    offsets.data()[i] = mask.data()[i] != 0.0f ? 0.0f : masked_score_offset;
  }
  return offsets;
}

}  // namespace

BaseAttentionLayer::BaseAttentionLayer(std::string class_name, std::string name)
    : Layer(std::move(class_name), std::move(name)) {}

void BaseAttentionLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.size() != 2) {
    fail("expected 2 inputs " + std::string(base_attention_inputs) + ", got " + std::to_string(shapes.size()));
  }
  if (shapes[0].size() != 3) {
    fail("expected encoder_out (batch, encoder_time, encoder_features), got " + to_string(shapes[0]));
  }
  if (shapes[1].size() != 3) {
    fail("expected decoder_out (batch, decoder_time, decoder_features), got " + to_string(shapes[1]));
  }
  check_batches(shapes[0], shapes[1]);
}

void BaseAttentionLayer::check_batches(const PartialShape& encoder, const PartialShape& decoder) const {
  if (encoder[0] != unknown_dim && decoder[0] != unknown_dim && encoder[0] != decoder[0]) {
    fail("encoder_out " + to_string(encoder) + " and decoder_out " + to_string(decoder) +
         " have different batch sizes");
  }
}

void BaseAttentionLayer::check_mask(const Shape& mask, const Shape& encoder) const {
  if (mask.size() != 2 || mask[0] != encoder[0] || mask[1] != encoder[1]) {
    fail("the mask refers to the encoder positions and must be (batch, encoder_time) = (" +
         std::to_string(encoder[0]) + ", " + std::to_string(encoder[1]) + ") for encoder_out " +
         to_string(encoder) + ", got " + to_string(mask));
  }
}

std::vector<PartialShape> BaseAttentionLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& encoder = shapes.at(0);
  const PartialShape& decoder = shapes.at(1);
  const std::int64_t batch = decoder[0] != unknown_dim ? decoder[0] : encoder[0];
  return {PartialShape{batch, decoder[1], encoder[2]}, PartialShape{batch, decoder[1], encoder[1]}};
}

std::vector<Tensor> BaseAttentionLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Tensor& encoder_out = inputs[0];
  const Tensor& decoder_out = inputs[1];
  // The build-time checks ran once; a built layer may see a new batch.
  check_batches(partial_shape_of(encoder_out.shape()), partial_shape_of(decoder_out.shape()));

  Tensor e = scores(encoder_out, decoder_out);  // (B, Td, Te)
  if (const Array* encoder_mask = context.mask(0)) {
    check_mask(encoder_mask->shape(), encoder_out.shape());
    e = e + Tensor(mask_offsets(*encoder_mask));
  }
  Tensor weights = softmax(e, -1);
  Tensor attended = matmul(weights, encoder_out);  // (B, Td, Te) x (B, Te, E): one GEMM per batch entry
  return {attended, weights};
}

// The context vectors are one per decoder step: they carry the decoder's
// mask (Keras' attention layers pass the query's mask on); the weights none.
std::vector<Mask> BaseAttentionLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (masks.size() > 1 && masks[1]) return {masks[1]};
  return {};
}

}  // namespace kiln
