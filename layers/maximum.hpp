#pragma once
// Maximum: the element-wise maximum of its inputs, as keras.layers.Maximum
// (shape and mask rules: layers/merge.hpp). As Keras 3: an entry an input
// masks takes the other side's value instead. Ties give the gradient to the
// earlier input, as TensorFlow (ops/minimum_maximum.hpp).

#include <string>

#include "layers/merge.hpp"

namespace kiln {

struct MaximumOptions {
  std::string name = {};
  static constexpr auto fields() { return std::tuple{}; }
};

class MaximumLayer : public KerasLayer<MaximumLayer, MaximumOptions, MergeLayer> {
 public:
  static constexpr const char* keras_name = "Maximum";
  explicit MaximumLayer(Options options);

 protected:
  Tensor merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
};

using Maximum = LayerHandle<MaximumLayer>;

}  // namespace kiln
