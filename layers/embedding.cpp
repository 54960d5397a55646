#include "layers/embedding.hpp"

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ops/gather.hpp"

namespace kiln {

EmbeddingLayer::EmbeddingLayer(Options options) : KerasLayer(std::move(options)) {
  if (options_.input_dim == 0 || options_.output_dim == 0) {
    throw Error(describe() + ": input_dim and output_dim must be positive, got input_dim = " +
                std::to_string(options_.input_dim) + ", output_dim = " + std::to_string(options_.output_dim));
  }
}

void EmbeddingLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 2, "(batch, time) of integer ids");
}

void EmbeddingLayer::check_compatible(const std::vector<PartialShape>&) const {}

void EmbeddingLayer::build(const std::vector<PartialShape>&) {
  embeddings_ = add_weight("embeddings", {options_.input_dim, options_.output_dim},
                           options_.embeddings_initializer.make());
}

std::vector<PartialShape> EmbeddingLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  PartialShape out = shapes.at(0);
  out.push_back(std::int64_t(options_.output_dim));
  return {out};
}

// The layer's own check, so the message speaks of input_dim and names the layer.
void EmbeddingLayer::check_ids(const Array& ids) const {
  const float limit = float(options_.input_dim);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const float id = ids.data()[i];
    if (id >= 0.0f && id < limit && id == std::floor(id)) continue;
    std::ostringstream msg;
    msg << describe() << ": id " << id << " at position " << i << " of input " << to_string(ids.shape())
        << " is not an integer in [0, input_dim = " << options_.input_dim << ")";
    throw Error(msg.str());
  }
}

std::vector<Tensor> EmbeddingLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const Array& ids = inputs[0].value();
  check_ids(ids);
  return {gather_rows(embeddings_, ids)};
}

std::vector<Mask> EmbeddingLayer::compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>&) const {
  if (!options_.mask_zero) return {};
  const Array& ids = inputs.at(0).value();
  auto mask = std::make_shared<Array>(Array::from_shape(ids.shape()));
  for (std::size_t i = 0; i < ids.size(); ++i) mask->data()[i] = ids.data()[i] != 0.0f ? 1.0f : 0.0f;
  return {std::move(mask)};
}

}  // namespace kiln
