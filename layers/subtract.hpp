#pragma once
// Subtract: inputs[0] - inputs[1], exactly two inputs, as
// keras.layers.Subtract (shape and mask rules: layers/merge.hpp; masked
// entries are subtracted as they are).

#include <string>

#include "layers/merge.hpp"

namespace kiln {

struct SubtractOptions {
  std::string name = {};
  static constexpr auto fields() { return std::tuple{}; }
};

class SubtractLayer : public KerasLayer<SubtractLayer, SubtractOptions, MergeLayer> {
 public:
  static constexpr const char* keras_name = "Subtract";
  explicit SubtractLayer(Options options);

 protected:
  Tensor merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
};

using Subtract = LayerHandle<SubtractLayer>;

}  // namespace kiln
