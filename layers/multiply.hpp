#pragma once
// Multiply: the element-wise product of its inputs, as keras.layers.Multiply
// (shape and mask rules: layers/merge.hpp). As Keras 3: an input's masked
// entries count as 1, and when every input has a mask, entries masked in all
// of them are 0.

#include <string>

#include "layers/merge.hpp"

namespace kiln {

struct MultiplyOptions {
  std::string name = {};
  static constexpr auto fields() { return std::tuple{}; }
};

class MultiplyLayer : public KerasLayer<MultiplyLayer, MultiplyOptions, MergeLayer> {
 public:
  static constexpr const char* keras_name = "Multiply";
  explicit MultiplyLayer(Options options);

 protected:
  Tensor merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
};

using Multiply = LayerHandle<MultiplyLayer>;

}  // namespace kiln
