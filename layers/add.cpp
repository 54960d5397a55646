#include "layers/add.hpp"

#include <nlohmann/json.hpp>

#include "ops/arithmetic.hpp"

namespace kiln {

AddLayer::AddLayer(Options options) : KerasLayer(std::move(options), 1, 0) {}

Tensor AddLayer::merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>&) const {
  Tensor sum = inputs[0];
  for (std::size_t i = 1; i < inputs.size(); ++i) sum = sum + inputs[i];
  return sum;
}

}  // namespace kiln
