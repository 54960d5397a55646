#include "layers/repeat_vector.hpp"

#include <nlohmann/json.hpp>

#include "ops/stack.hpp"

namespace kiln {

RepeatVectorLayer::RepeatVectorLayer(Options options) : KerasLayer(std::move(options)) {
  if (options_.n == 0) throw Error(describe() + ": n must be positive");
}

void RepeatVectorLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 2, "(batch, features)");
}

void RepeatVectorLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> RepeatVectorLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& in = shapes.at(0);
  return {PartialShape{in[0], std::int64_t(options_.n), in[1]}};
}

// The gradient of each copy flows back to the one input: stack's backward adds them.
std::vector<Tensor> RepeatVectorLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  return {stack(std::vector<Tensor>(options_.n, inputs[0]), 1)};
}

}  // namespace kiln
