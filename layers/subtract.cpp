#include "layers/subtract.hpp"

#include <nlohmann/json.hpp>

#include "ops/arithmetic.hpp"

namespace kiln {

SubtractLayer::SubtractLayer(Options options) : KerasLayer(std::move(options), 2, 2) {}

Tensor SubtractLayer::merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>&) const {
  return inputs[0] - inputs[1];
}

}  // namespace kiln
