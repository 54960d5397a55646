#include "layers/average.hpp"

#include <nlohmann/json.hpp>

#include "ops/arithmetic.hpp"

namespace kiln {

AverageLayer::AverageLayer(Options options) : KerasLayer(std::move(options), 1, 0) {}

Tensor AverageLayer::merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>&) const {
  Tensor sum = inputs[0];
  for (std::size_t i = 1; i < inputs.size(); ++i) sum = sum + inputs[i];
  return sum / float(inputs.size());
}

}  // namespace kiln
