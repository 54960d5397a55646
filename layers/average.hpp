#pragma once
// Average: the element-wise mean of its inputs, as keras.layers.Average
// (shape and mask rules: layers/merge.hpp; masked entries are averaged as
// they are).

#include <string>

#include "layers/merge.hpp"

namespace kiln {

struct AverageOptions {
  std::string name = {};
  static constexpr auto fields() { return std::tuple{}; }
};

class AverageLayer : public KerasLayer<AverageLayer, AverageOptions, MergeLayer> {
 public:
  static constexpr const char* keras_name = "Average";
  explicit AverageLayer(Options options);

 protected:
  Tensor merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
};

using Average = LayerHandle<AverageLayer>;

}  // namespace kiln
