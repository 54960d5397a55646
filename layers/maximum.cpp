#include "layers/maximum.hpp"

#include <nlohmann/json.hpp>

#include "ops/minimum_maximum.hpp"

namespace kiln {

MaximumLayer::MaximumLayer(Options options) : KerasLayer(std::move(options), 1, 0) {}

Tensor MaximumLayer::merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const {
  return merge_skipping_masked(inputs, masks, [](const Tensor& a, const Tensor& b) { return maximum(a, b); });
}

}  // namespace kiln
