#pragma once
// Add: the element-wise sum of its inputs, as keras.layers.Add (shape and
// mask rules: layers/merge.hpp; masked entries are summed as they are).

#include <string>

#include "layers/merge.hpp"

namespace kiln {

struct AddOptions {
  std::string name = {};
  static constexpr auto fields() { return std::tuple{}; }
};

class AddLayer : public KerasLayer<AddLayer, AddOptions, MergeLayer> {
 public:
  static constexpr const char* keras_name = "Add";
  explicit AddLayer(Options options);

 protected:
  Tensor merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
};

using Add = LayerHandle<AddLayer>;

}  // namespace kiln
