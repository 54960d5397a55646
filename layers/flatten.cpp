#include "layers/flatten.hpp"

#include <nlohmann/json.hpp>

#include "layers/registry.hpp"
#include "ops/reshape.hpp"

namespace kiln {

FlattenLayer::FlattenLayer(Options options) : KerasLayer(std::move(options)) {
  if (options_.data_format != "channels_last") {
    throw Error(describe() + ": data_format must be channels_last (the only layout kiln computes in), got '" +
                options_.data_format + "'");
  }
}

void FlattenLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, ...)");
  if (shapes[0].empty()) fail("expected input (batch, ...), got a scalar ()");
}

void FlattenLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> FlattenLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& in = shapes.at(0);
  std::int64_t rest = 1;
  for (std::size_t i = 1; i < in.size(); ++i) {
    rest = (rest == unknown_dim || in[i] == unknown_dim) ? unknown_dim : rest * in[i];
  }
  return {PartialShape{in[0], rest}};
}

std::vector<Tensor> FlattenLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const Shape& in = inputs[0].shape();
  std::size_t rest = 1;
  for (std::size_t i = 1; i < in.size(); ++i) rest *= in[i];
  return {reshape(inputs[0], Shape{in[0], rest})};
}

}  // namespace kiln
