#include "layers/token_and_position_embedding.hpp"

#include "ops/arithmetic.hpp"

namespace kiln {

TokenAndPositionEmbeddingLayer::TokenAndPositionEmbeddingLayer(Options options)
    : KerasLayer(std::move(options)),
      token_embedding_({.input_dim = options_.vocabulary_size,
                        .output_dim = options_.embedding_dim,
                        .embeddings_initializer = options_.embeddings_initializer,
                        .mask_zero = options_.mask_zero,
                        .name = "token_embedding"}),
      position_embedding_({.sequence_length = options_.sequence_length,
                           .initializer = options_.embeddings_initializer,
                           .name = "position_embedding"}) {
  if (!options_.tie_weights) {
    throw Error(describe() + ": tie_weights false (a separate reverse projection) is not supported by kiln");
  }
  track(token_embedding_);
  track(position_embedding_);
  set_supports_masking(options_.mask_zero);
}

void TokenAndPositionEmbeddingLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 2, "(batch, sequence) of integer ids");
  if (shapes[0][1] != unknown_dim && shapes[0][1] > std::int64_t(options_.sequence_length)) {
    fail("the input " + to_string(shapes[0]) + " is longer than sequence_length " +
         std::to_string(options_.sequence_length));
  }
}

void TokenAndPositionEmbeddingLayer::check_compatible(const std::vector<PartialShape>&) const {}

void TokenAndPositionEmbeddingLayer::build(const std::vector<PartialShape>& shapes) {
  token_embedding_->build_for(shapes);
  const PartialShape embedded{shapes[0][0], shapes[0][1], std::int64_t(options_.embedding_dim)};
  position_embedding_->build_for({embedded});
}

std::vector<PartialShape> TokenAndPositionEmbeddingLayer::compute_output_shape(
    const std::vector<PartialShape>& shapes) const {
  PartialShape out = shapes.at(0);
  out.push_back(std::int64_t(options_.embedding_dim));
  return {out};
}

std::vector<Mask> TokenAndPositionEmbeddingLayer::compute_mask(const std::vector<Tensor>& inputs,
                                                               const std::vector<Mask>& masks) const {
  return token_embedding_->compute_mask(inputs, masks);
}

Tensor TokenAndPositionEmbeddingLayer::embed(const Tensor& ids, std::size_t start_index, const CallContext& context) {
  const Tensor tokens = token_embedding_(ids, context);  // (batch, T, D)
  return tokens + position_embedding_->positions(ids.shape(1), start_index);
}

std::vector<Tensor> TokenAndPositionEmbeddingLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  // The sublayer's own masks are this layer's business (compute_mask).
  return {embed(inputs[0].with_mask(nullptr), 0, CallContext{.training = context.training})};
}

}  // namespace kiln
