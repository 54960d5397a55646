#include "layers/position_embedding.hpp"

#include "ops/arithmetic.hpp"
#include "ops/slice.hpp"

namespace kiln {

PositionEmbeddingLayer::PositionEmbeddingLayer(Options options) : KerasLayer(std::move(options)) {
  if (options_.sequence_length == 0) throw Error(describe() + ": sequence_length must be positive");
}

void PositionEmbeddingLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 3, "(batch, sequence, features)");
  const std::int64_t length = shapes[0][1];
  if (length != unknown_dim && length > std::int64_t(options_.sequence_length)) {
    fail("the input " + to_string(shapes[0]) + " is longer than sequence_length " +
         std::to_string(options_.sequence_length) + " (kiln does not extrapolate positions)");
  }
}

void PositionEmbeddingLayer::build(const std::vector<PartialShape>& shapes) {
  embeddings_ = add_weight("embeddings", {options_.sequence_length, known_last_dim(shapes[0])},
                           options_.initializer.make());
}

std::vector<PartialShape> PositionEmbeddingLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

Tensor PositionEmbeddingLayer::positions(std::size_t length, std::size_t start_index) const {
  if (!built()) fail("positions() needs the layer built first");
  if (length == 0 || start_index + length > options_.sequence_length) {
    fail("positions " + std::to_string(start_index) + " to " + std::to_string(start_index + length) +
         " (exclusive) are outside sequence_length " + std::to_string(options_.sequence_length));
  }
  return slice(embeddings_, 0, start_index, start_index + length);
}

std::vector<Tensor> PositionEmbeddingLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  // Broadcast over the batch by adding to zeros of the input's shape.
  return {positions(inputs[0].shape(1)) + Tensor(Array(xt::zeros<float>(inputs[0].shape())))};
}

}  // namespace kiln
