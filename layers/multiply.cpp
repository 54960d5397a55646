#include "layers/multiply.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ops/arithmetic.hpp"
#include "ops/where.hpp"

namespace kiln {

MultiplyLayer::MultiplyLayer(Options options) : KerasLayer(std::move(options), 1, 0) {}

// Keras 3's Multiply._merge_function.
Tensor MultiplyLayer::merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const {
  const bool masked_output = std::all_of(masks.begin(), masks.end(), [](const Tensor& m) { return m.defined(); });
  Tensor product, kept;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Tensor x = inputs[i];
    if (masks[i].defined()) {
      x = where(masks[i], x, 1.0f);  // a masked entry leaves the product unchanged
      if (masked_output) kept = kept.defined() ? mask_or(kept, masks[i]) : masks[i];
    }
    product = product.defined() ? product * x : x;
  }
  return masked_output ? where(kept, product, 0.0f) : product;
}

}  // namespace kiln
