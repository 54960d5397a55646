#include "layers/permute.hpp"

#include <algorithm>
#include <numeric>

#include <nlohmann/json.hpp>

#include "ops/reshape.hpp"

namespace kiln {

PermuteLayer::PermuteLayer(Options options) : KerasLayer(std::move(options)) {
  std::vector<std::size_t> sorted = options_.dims;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::size_t> expected(sorted.size());
  std::iota(expected.begin(), expected.end(), std::size_t(1));
  if (sorted.empty() || sorted != expected) {
    std::string given;
    for (auto d : options_.dims) given += (given.empty() ? "" : ", ") + std::to_string(d);
    throw Error(describe() + ": dims must hold each of 1 .. " + std::to_string(options_.dims.size()) +
                " once (the batch axis 0 stays first), got (" + given + ")");
  }
}

void PermuteLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, ...)");
  if (shapes[0].size() != options_.dims.size() + 1) {
    fail("dims has " + std::to_string(options_.dims.size()) + " entries, so the input needs " +
         std::to_string(options_.dims.size() + 1) + " axes (batch included), got " + to_string(shapes[0]));
  }
}

void PermuteLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> PermuteLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& in = shapes.at(0);
  PartialShape out{in[0]};
  for (auto d : options_.dims) out.push_back(in.at(d));
  return {out};
}

std::vector<Tensor> PermuteLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  std::vector<std::size_t> axes{0};
  axes.insert(axes.end(), options_.dims.begin(), options_.dims.end());
  return {permute(inputs[0], axes)};
}

}  // namespace kiln
