#include "layers/minimum.hpp"

#include <nlohmann/json.hpp>

#include "ops/minimum_maximum.hpp"

namespace kiln {

MinimumLayer::MinimumLayer(Options options) : KerasLayer(std::move(options), 1, 0) {}

Tensor MinimumLayer::merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const {
  return merge_skipping_masked(inputs, masks, [](const Tensor& a, const Tensor& b) { return minimum(a, b); });
}

}  // namespace kiln
