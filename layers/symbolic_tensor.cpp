#include "layers/symbolic_tensor.hpp"

#include "layers/layer.hpp"
#include "layers/naming.hpp"

namespace kiln {

SymbolicTensor::SymbolicTensor(PartialShape shape, std::shared_ptr<const SymbolicNode> node,
                               std::size_t output_index)
    : shape_(std::move(shape)), node_(std::move(node)), output_index_(output_index) {}

std::string SymbolicTensor::describe() const {
  if (node_->is_input()) return node_->input_name;
  return node_->layer->name() + "[" + std::to_string(output_index_) + "]";
}

SymbolicTensor Input(PartialShape shape, std::string name) {
  auto node = std::make_shared<SymbolicNode>();
  node->input_name = name.empty() ? unique_layer_name("input") : std::move(name);
  PartialShape full{unknown_dim};
  full.insert(full.end(), shape.begin(), shape.end());
  node->output_shapes = {full};
  return SymbolicTensor(std::move(full), std::move(node), 0);
}

}  // namespace kiln
