#pragma once
// Minimum: the element-wise minimum of its inputs, as keras.layers.Minimum
// (shape and mask rules: layers/merge.hpp). As Keras 3: an entry an input
// masks takes the other side's value instead. Ties give the gradient to the
// earlier input, as TensorFlow (ops/minimum_maximum.hpp).

#include <string>

#include "layers/merge.hpp"

namespace kiln {

struct MinimumOptions {
  std::string name = {};
  static constexpr auto fields() { return std::tuple{}; }
};

class MinimumLayer : public KerasLayer<MinimumLayer, MinimumOptions, MergeLayer> {
 public:
  static constexpr const char* keras_name = "Minimum";
  explicit MinimumLayer(Options options);

 protected:
  Tensor merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
};

using Minimum = LayerHandle<MinimumLayer>;

}  // namespace kiln
